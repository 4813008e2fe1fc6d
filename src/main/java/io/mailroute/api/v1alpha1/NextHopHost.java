package io.mailroute.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A fixed next hop for a route's mail. */
public class NextHopHost {
    @Required
    @Size(min = 1, max = 253)
    @Pattern(ApiPatterns.HOST)
    @JsonPropertyDescription(
            "Host name or IP address of the next hop, without brackets or port, "
                    + "e.g. outlook-com.olc.protection.outlook.com.")
    public String host;

    @Min(1)
    @Max(65535)
    @Default("" + Defaults.SMTP_PORT)
    @JsonPropertyDescription("TCP port of the next hop.")
    public Integer port = Defaults.SMTP_PORT;

    @Default("false")
    @JsonPropertyDescription(
            "true: Postfix looks up the MX records of host; false (default): host is used as is "
                    + "(rendered in brackets, [host]:port), which is what pinning a route to an MX host needs.")
    public Boolean lookupMx = false;

    public NextHopHost() {}

    public NextHopHost(String host, int port, boolean lookupMx) {
        this.host = host;
        this.port = port;
        this.lookupMx = lookupMx;
    }
}
