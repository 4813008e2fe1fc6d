package io.mailroute.routing;

import io.mailroute.api.v1alpha1.Defaults;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRelaySpec;
import io.mailroute.api.v1alpha1.SmarthostTarget;
import io.mailroute.postfix.DefaultRouteRule;
import io.mailroute.postfix.DomainNames;
import io.mailroute.postfix.NextHop;
import io.mailroute.postfix.PostfixInputException;
import io.mailroute.postfix.RelaySettings;
import io.mailroute.postfix.SaslCredentials;
import io.mailroute.postfix.TlsLevel;
import io.mailroute.status.StatusNames.Reason;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a {@link MailRelay} spec into validated Postfix {@link RelaySettings}, including the
 * smarthost credentials of the default route.
 */
public final class RelaySettingsTranslator {
    private RelaySettingsTranslator() {}

    /**
     * @param inputs reads the credentials Secret of {@code
     *     spec.defaultRoute.smarthost.authSecretRef} (in the relay's namespace, same rules as a
     *     route's, see {@link CredentialSecrets})
     * @throws RouteRejectedException InvalidRelay, or the reason the smarthost credentials cannot
     *     be used
     */
    public static RelaySettings translate(MailRelay relay, RouteInputs inputs)
            throws RouteRejectedException {
        MailRelaySpec spec = relay.getSpec();
        if (spec == null) {
            throw new RouteRejectedException(Reason.INVALID_RELAY, "spec is missing");
        }
        if (spec.allowedRoutes != null) {
            String selectorProblem =
                    LabelSelectors.problem(
                            "spec.allowedRoutes.selector", spec.allowedRoutes.selector);
            if (selectorProblem != null) {
                throw new RouteRejectedException(Reason.INVALID_RELAY, selectorProblem);
            }
        }
        try {
            String hostname = DomainNames.normalize("spec.hostname", spec.hostname);
            // RelaySettings validates acceptFrom exactly once (each entry and their union);
            // normalizing here as
            // well used to feed Postfix syntax back into the validator, which refused every IPv6
            // network.
            List<String> networks =
                    spec.acceptFrom == null ? List.of() : new ArrayList<>(spec.acceptFrom);
            return new RelaySettings(
                    ResourceKey.of(relay).toString(),
                    hostname,
                    networks,
                    defaultRoute(relay, inputs));
        } catch (PostfixInputException e) {
            String field = e.field().startsWith("acceptFrom") ? "spec." + e.field() : e.field();
            throw new RouteRejectedException(Reason.INVALID_RELAY, field + ": " + e.reason());
        }
    }

    private static DefaultRouteRule defaultRoute(MailRelay relay, RouteInputs inputs)
            throws RouteRejectedException {
        MailRelaySpec spec = relay.getSpec();
        if (spec.defaultRoute == null || spec.defaultRoute.smarthost == null) {
            return new DefaultRouteRule.DeliverByMx();
        }
        SmarthostTarget smarthost = spec.defaultRoute.smarthost;
        NextHop hop =
                NextHop.of(
                        "spec.defaultRoute.smarthost",
                        smarthost.host,
                        smarthost.port == null ? Defaults.SUBMISSION_PORT : smarthost.port,
                        false);
        TlsLevel tls = TlsLevels.of(spec.defaultRoute.tls);
        SaslCredentials sasl =
                smarthost.authSecretRef == null
                        ? null
                        : CredentialSecrets.read(
                                "spec.defaultRoute.smarthost.authSecretRef",
                                relay.getMetadata().getNamespace(),
                                smarthost.authSecretRef,
                                inputs);
        if (sasl != null && !tls.isMandatory()) {
            throw new RouteRejectedException(
                    Reason.INVALID_RELAY,
                    "spec.defaultRoute.tls: TLS policy "
                            + tls.postfixLevel()
                            + " could send the smarthost password unencrypted; use encrypt, verify or secure with "
                            + "spec.defaultRoute.smarthost.authSecretRef");
        }
        return new DefaultRouteRule.Smarthost(hop, tls, sasl);
    }
}
