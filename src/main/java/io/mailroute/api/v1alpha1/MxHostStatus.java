package io.mailroute.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** One mail exchanger of a domain as the operator last saw it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MxHostStatus extends SerialisedEquality {
    @JsonPropertyDescription("Host name of the mail exchanger.")
    public String host;

    @JsonPropertyDescription("MX preference (lower is preferred).")
    public Integer preference;

    @JsonPropertyDescription("Number of A and AAAA addresses.")
    public Integer addresses;

    @JsonPropertyDescription("True when the address answer was truncated over UDP and needed TCP.")
    public Boolean tcpNeeded;

    @JsonPropertyDescription(
            "RESOLVED, NO_ADDRESS, NXDOMAIN, TEMPFAIL, IP_LITERAL, CNAME_LOOP or CNAME_TOO_LONG.")
    public String status;

    public MxHostStatus() {}

    public MxHostStatus(
            String host, int preference, int addresses, boolean tcpNeeded, String status) {
        this.host = host;
        this.preference = preference;
        this.addresses = addresses;
        this.tcpNeeded = tcpNeeded;
        this.status = status;
    }
}
