package io.mailroute.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.Objects;

/** One mail exchanger of a domain as the operator last saw it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MxHostStatus {
    @JsonPropertyDescription("Host name of the mail exchanger.")
    public String host;

    @JsonPropertyDescription("MX preference (lower is preferred).")
    public Integer preference;

    @JsonPropertyDescription("Number of A and AAAA addresses.")
    public Integer addresses;

    @JsonPropertyDescription("True when the address answer was truncated over UDP and needed TCP.")
    public Boolean tcpNeeded;

    @JsonPropertyDescription("RESOLVED, NO_ADDRESS, NXDOMAIN, TEMPFAIL, IP_LITERAL, CNAME_LOOP or CNAME_TOO_LONG.")
    public String status;

    public MxHostStatus() {
    }

    public MxHostStatus(String host, int preference, int addresses, boolean tcpNeeded, String status) {
        this.host = host;
        this.preference = preference;
        this.addresses = addresses;
        this.tcpNeeded = tcpNeeded;
        this.status = status;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MxHostStatus h && Objects.equals(host, h.host) && Objects.equals(preference, h.preference)
                && Objects.equals(addresses, h.addresses) && Objects.equals(tcpNeeded, h.tcpNeeded)
                && Objects.equals(status, h.status);
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, preference, addresses, tcpNeeded, status);
    }
}
