package io.mailroute.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** Where mail for domains that no route covers goes. */
public class DefaultRoute {
    @JsonPropertyDescription(
            "Send unrouted mail to this smarthost (Postfix relayhost). When absent, unrouted mail "
                    + "is delivered by the recipient domain's MX records.")
    public SmarthostTarget smarthost;

    @Default(Defaults.TLS_VALUE)
    @JsonPropertyDescription("TLS policy towards the smarthost.")
    public TlsPolicy tls = Defaults.TLS;
}
