package io.mailroute.routing;

import io.mailroute.api.v1alpha1.Defaults;
import io.mailroute.api.v1alpha1.DeliverySettings;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.MailRouteSpec;
import io.mailroute.api.v1alpha1.NextHopHost;
import io.mailroute.api.v1alpha1.RouteTarget;
import io.mailroute.api.v1alpha1.SecretKeys;
import io.mailroute.api.v1alpha1.SmarthostTarget;
import io.mailroute.postfix.DomainNames;
import io.mailroute.postfix.NextHop;
import io.mailroute.postfix.PostfixInputException;
import io.mailroute.postfix.SaslCredentials;
import io.mailroute.postfix.TlsLevel;
import io.mailroute.postfix.TransportRule;
import io.mailroute.postfix.TransportSettings;
import io.mailroute.status.StatusNames.Reason;
import io.mailroute.validation.RenderDecision;
import io.mailroute.validation.RenderPolicy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns a {@link MailRoute} into validated Postfix {@link TransportRule}s, one per domain.
 * Everything the CRD schema could not check (exactly one target, IDN, host syntax, Secret contents)
 * is checked here; a problem becomes a {@link RouteRejectedException} with a CamelCase reason,
 * never a rendered line.
 */
public final class RouteTranslator {

    /** {@link #domainField} of the first 64 domains. */
    private static final String[] DOMAIN_FIELDS =
            java.util.stream.IntStream.range(0, 64)
                    .mapToObj(i -> "spec.domains[" + i + "]")
                    .toArray(String[]::new);

    private final RenderPolicy policy;

    public RouteTranslator(RenderPolicy policy) {
        this.policy = policy;
    }

    public TranslatedRoute translate(MailRoute route, RouteInputs inputs)
            throws RouteRejectedException {
        MailRouteSpec spec = route.getSpec();
        if (spec == null || spec.target == null || spec.target.kind() == null) {
            throw new RouteRejectedException(
                    Reason.INVALID_TARGET, "spec.target must set exactly one of mx, hosts, relay");
        }
        String source = ResourceKey.of(route).toString();
        Set<String> domains = normalizedDomains(spec);
        TlsLevel tls = TlsLevels.of(spec.tls);
        boolean subdomains = Boolean.TRUE.equals(spec.includeSubdomains);
        TransportSettings sending = sending(spec);
        List<TransportRule> rules = new ArrayList<>(domains.size());
        // most routes withhold nothing: the map is made for the first domain withheld
        Map<String, RenderDecision.Withheld> withheld = Map.of();
        try {
            SaslCredentials sasl =
                    readsSecrets(route)
                            ? credentials(route, spec.target.relay.authSecretRef, inputs)
                            : null;
            for (String domain : domains) {
                RenderDecision decision = policy.decide(route, domain);
                if (decision instanceof RenderDecision.Withheld w) {
                    if (withheld.isEmpty()) {
                        withheld = new TreeMap<>();
                    }
                    withheld.put(domain, w);
                } else {
                    rules.add(
                            new TransportRule(
                                    domain,
                                    subdomains,
                                    nextHops(spec.target, decision),
                                    tls,
                                    sasl,
                                    source,
                                    sending));
                }
            }
        } catch (PostfixInputException e) {
            throw new RouteRejectedException(
                    e.field().startsWith("delivery")
                            ? Reason.INVALID_DELIVERY
                            : Reason.INVALID_TARGET,
                    prefixed(e));
        }
        return new TranslatedRoute(rules, withheld);
    }

    /**
     * Whether translating {@code route} reads a Secret (a relay target's credentials), so that its
     * translation can change while the route does not ({@link Translations} translates such routes
     * every time). A route without a valid target is counted as one that does.
     */
    static boolean readsSecrets(MailRoute route) {
        return route.getSpec() == null
                || route.getSpec().target == null
                || route.getSpec().target.kind() == RouteTarget.TargetKind.RELAY;
    }

    /**
     * spec.delivery as validated transport settings; the CRD schema checks the same ranges, this
     * catches objects stored before (or past) the schema. Implicit TLS is checked against the
     * target and TLS policy by the rule.
     */
    private static TransportSettings sending(MailRouteSpec spec) throws RouteRejectedException {
        DeliverySettings d = spec.delivery;
        if (d == null) {
            return TransportSettings.DEFAULT;
        }
        try {
            return new TransportSettings(
                    d.concurrency,
                    d.rateDelaySeconds,
                    d.recipientLimit,
                    Boolean.TRUE.equals(d.implicitTls));
        } catch (PostfixInputException e) {
            throw new RouteRejectedException(Reason.INVALID_DELIVERY, prefixed(e));
        }
    }

    /** "spec.delivery.concurrency: ..." for the postfix package's "delivery.concurrency: ...". */
    private static String prefixed(PostfixInputException e) {
        return e.field().startsWith("delivery") ? "spec." + e.getMessage() : e.getMessage();
    }

    private static Set<String> normalizedDomains(MailRouteSpec spec) throws RouteRejectedException {
        if (spec.domains == null || spec.domains.isEmpty()) {
            throw new RouteRejectedException(
                    Reason.INVALID_DOMAIN, "spec.domains must list at least one domain");
        }
        if (spec.domains.size() == 1) {
            // the usual route of one domain: no set to build
            try {
                return Set.of(DomainNames.normalize(domainField(0), spec.domains.get(0)));
            } catch (PostfixInputException e) {
                throw new RouteRejectedException(Reason.INVALID_DOMAIN, e.getMessage());
            }
        }
        Set<String> domains = new LinkedHashSet<>();
        for (int i = 0; i < spec.domains.size(); i++) {
            try {
                domains.add(DomainNames.normalize(domainField(i), spec.domains.get(i)));
            } catch (PostfixInputException e) {
                throw new RouteRejectedException(Reason.INVALID_DOMAIN, e.getMessage());
            }
        }
        return domains;
    }

    /**
     * {@code spec.domains[i]}, the field an invalid domain is reported under; the first ones built
     * once, as every domain of every route is normalized with its field name on each plan.
     */
    private static String domainField(int i) {
        return i < DOMAIN_FIELDS.length ? DOMAIN_FIELDS[i] : "spec.domains[" + i + "]";
    }

    private static List<NextHop> nextHops(RouteTarget target, RenderDecision decision) {
        return switch (target.kind()) {
            case MX -> {
                List<NextHop> hops = new ArrayList<>(0);
                if (decision instanceof RenderDecision.PinnedMx pinned) {
                    for (String host : pinned.hosts()) {
                        hops.add(
                                NextHop.of(
                                        "status.resolutions.pinned",
                                        host,
                                        portOr(target.mx.port, Defaults.SMTP_PORT),
                                        false));
                    }
                }
                yield hops;
            }
            case HOSTS -> {
                List<NextHop> hops = new ArrayList<>(target.hosts.size());
                for (int i = 0; i < target.hosts.size(); i++) {
                    NextHopHost h = target.hosts.get(i);
                    if (h == null) {
                        throw new PostfixInputException(
                                "spec.target.hosts[" + i + "]", "must not be null");
                    }
                    hops.add(
                            NextHop.of(
                                    "spec.target.hosts[" + i + "]",
                                    h.host,
                                    portOr(h.port, Defaults.SMTP_PORT),
                                    Boolean.TRUE.equals(h.lookupMx)));
                }
                yield hops;
            }
            case RELAY -> {
                SmarthostTarget relay = target.relay;
                yield List.of(
                        NextHop.of(
                                "spec.target.relay",
                                relay.host,
                                portOr(relay.port, Defaults.SUBMISSION_PORT),
                                false));
            }
        };
    }

    private static SaslCredentials credentials(MailRoute route, SecretKeys ref, RouteInputs inputs)
            throws RouteRejectedException {
        if (ref == null) {
            return null;
        }
        return CredentialSecrets.read(
                "spec.target.relay.authSecretRef", route.getMetadata().getNamespace(), ref, inputs);
    }

    private static int portOr(Integer port, int fallback) {
        return port == null ? fallback : port;
    }
}
