package io.mailroute.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.List;

/** Desired state of a {@link MailRelay}. */
public class MailRelaySpec {
    @Min(0)
    @Max(16)
    @Default("" + Defaults.REPLICAS)
    @JsonPropertyDescription("Number of Postfix relay pods.")
    public Integer replicas = Defaults.REPLICAS;

    @Pattern(ApiPatterns.IMAGE)
    @JsonPropertyDescription(
            "Relay container image; defaults to the operator's configured relay image.")
    public String image;

    @Required
    @Size(min = 1, max = 253)
    @Pattern(ApiPatterns.DOMAIN)
    @JsonPropertyDescription(
            "Fully qualified host name of the relay (Postfix myhostname, used in HELO/EHLO).")
    public String hostname;

    @Size(max = 64)
    @JsonPropertyDescription(
            "Client networks (CIDR) allowed to relay through this relay (Postfix mynetworks). "
                    + "Empty: loopback only. IPv6 without brackets, e.g. 2001:db8::/32. Together at most 65536 publicly "
                    + "routable IPv4 addresses (a /16) and a /48 of global IPv6 (an open relay otherwise); private, "
                    + "shared and ULA ranges such as 10.0.0.0/8, 100.64.0.0/10 and fd00::/8 are not limited. See "
                    + "docs/security.md.")
    public List<@Pattern(ApiPatterns.CIDR) String> acceptFrom;

    @JsonPropertyDescription(
            "Where mail for domains without a route goes; MX delivery when absent.")
    public DefaultRoute defaultRoute;

    @JsonPropertyDescription(
            "Namespaces allowed to attach MailRoutes; only the relay's own namespace by default.")
    public AllowedRoutes allowedRoutes;

    @JsonPropertyDescription("Persistent volume for the mail queue.")
    public RelayStorage storage;

    @JsonPropertyDescription("Compute resources of the Postfix container.")
    public ResourceRequirements resources;
}
