package io.mailroute.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** Desired state of a {@link MailRoute}. */
@ValidationRule(
        value =
                "!has(self.delivery) || !has(self.delivery.implicitTls) || !self.delivery.implicitTls "
                        + "|| (has(self.tls) && self.tls in ['encrypt', 'verify', 'secure'] && !has(self.target.mx))",
        message =
                "delivery.implicitTls needs tls encrypt, verify or secure and a hosts or relay target")
public class MailRouteSpec {
    @Required
    @Size(min = 1, max = 16)
    @JsonPropertyDescription(
            "MailRelays that carry this route's mail (like Gateway API parentRefs).")
    public List<RelayRef> relayRefs;

    @Required
    @Size(min = 1, max = 256)
    @JsonPropertyDescription(
            "Recipient domains routed by this route, e.g. outlook.com. Lower-cased; a trailing dot "
                    + "is ignored; internationalized names are converted to punycode.")
    public List<@Pattern(ApiPatterns.DOMAIN) @Size(min = 1, max = 254) String> domains;

    @Default("false")
    @JsonPropertyDescription(
            "Also route all subdomains of each domain (renders a .domain transport entry).")
    public Boolean includeSubdomains = false;

    @Required
    @JsonPropertyDescription("Where the mail goes: exactly one of mx, hosts, relay.")
    public RouteTarget target;

    @Default(Defaults.TLS_VALUE)
    @JsonPropertyDescription(
            "TLS policy for the next hops: none, may, encrypt, verify, secure or dane.")
    public TlsPolicy tls = Defaults.TLS;

    @JsonPropertyDescription(
            "How the relay sends this route's mail: concurrency, delay between deliveries, "
                    + "recipients per delivery, implicit TLS (port 465). Unset: the relay's shared defaults.")
    public DeliverySettings delivery;

    @Default("Enforce")
    @JsonPropertyDescription(
            "What failing DNS checks do: Enforce (route not rendered), Warn (reported only), "
                    + "Off (no checks).")
    public ValidationPolicy validation = ValidationPolicy.Enforce;
}
