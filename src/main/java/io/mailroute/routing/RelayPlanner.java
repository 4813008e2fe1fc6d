package io.mailroute.routing;

import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.postfix.PostfixConfig;
import io.mailroute.postfix.PostfixInputException;
import io.mailroute.postfix.PostfixRenderer;
import io.mailroute.postfix.RelaySettings;
import io.mailroute.postfix.RuleSet;
import io.mailroute.postfix.TransportRule;
import io.mailroute.status.StatusNames.Reason;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Plans one relay from the routes that reference it: admission (allowedRoutes), validation,
 * conflicts, size budgets and rendering. The oldest route wins a domain claimed twice (then
 * namespace/name order), as in Gateway API. A route with {@code includeSubdomains} owns its
 * domain's whole subdomain tree against newer routes of other namespaces: a newer route of another
 * namespace cannot claim a domain inside it (Postfix would give the more specific entry the mail).
 * Routes of the same namespace may carve domains out of each other's trees. Both reconcilers use
 * this class, so a route's status always describes exactly what the relay renders.
 */
public final class RelayPlanner {
    /**
     * Size budgets, in bytes of rendered transport, tls_policy and sasl_passwd lines: what one
     * route may add ({@code perRoute}), what a relay's files may hold in all ({@code perRelay},
     * main.cf included) and what its sasl_passwd may hold ({@code perSecret}). The maps are split
     * over shard ConfigMaps when large (the operator's {@code RelayConfigLayout}, at most 16 parts
     * of 768 KiB), so {@code perRelay} keeps them within those; the credentials stay in one Secret,
     * so {@code perSecret} keeps it well below the API server's 1 MiB object limit.
     */
    public record Budget(long perRoute, long perRelay, long perSecret) {
        /**
         * 64 KiB per route, 10 MiB per relay (about 150,000 one-domain routes), 800 KiB of
         * credentials.
         */
        public static final Budget DEFAULT = new Budget(64 * 1024, 10 * 1024 * 1024, 800 * 1024);

        public Budget(long perRoute, long perRelay) {
            this(perRoute, perRelay, perRelay);
        }
    }

    private final PostfixRenderer renderer;
    private final RouteTranslator translator;
    private final Budget budget;

    public RelayPlanner(PostfixRenderer renderer, RouteTranslator translator) {
        this(renderer, translator, Budget.DEFAULT);
    }

    public RelayPlanner(PostfixRenderer renderer, RouteTranslator translator, Budget budget) {
        this.renderer = renderer;
        this.translator = translator;
        this.budget = budget;
    }

    public RelayPlan plan(MailRelay relay, Collection<MailRoute> allRoutes, RouteInputs inputs) {
        ResourceKey relayKey = ResourceKey.of(relay);
        List<MailRoute> candidates =
                allRoutes.stream()
                        .filter(r -> RouteAdmission.references(r, relayKey))
                        .sorted(
                                Comparator.comparing(
                                                (MailRoute r) ->
                                                        String.valueOf(
                                                                r.getMetadata()
                                                                        .getCreationTimestamp()))
                                        .thenComparing(ResourceKey::of))
                        .toList();
        RelaySettings settings;
        try {
            settings = RelaySettingsTranslator.translate(relay, inputs);
        } catch (RouteRejectedException e) {
            Map<ResourceKey, RouteOutcome> outcomes = new TreeMap<>();
            for (MailRoute route : candidates) {
                ResourceKey key = ResourceKey.of(route);
                outcomes.put(
                        key,
                        RouteOutcome.rejected(
                                key,
                                Reason.RELAY_INVALID,
                                "MailRelay " + relayKey + " is invalid: " + e.getMessage()));
            }
            return new RelayPlan(relayKey, Optional.empty(), e.reason(), e.getMessage(), outcomes);
        }

        Map<ResourceKey, RouteOutcome> outcomes = new TreeMap<>();
        Map<String, ResourceKey> owners = new HashMap<>();
        RuleSet accepted = new RuleSet(settings);
        boolean byNamespaceLabels = RouteAdmission.needsNamespaceLabels(relay);
        long relayBytes = PostfixRenderer.baseBytes(settings);
        long secretBytes = 0;
        Map<ResourceKey, List<DomainOutcome>> conflicts = new LinkedHashMap<>();
        Map<ResourceKey, List<TransportRule>> renderedRules = new LinkedHashMap<>();
        for (MailRoute route : candidates) {
            ResourceKey key = ResourceKey.of(route);
            // namespace labels are read only for allowedRoutes.from: Selector (one read per
            // namespace, see inputs)
            String refusal =
                    RouteAdmission.refusal(
                            relay,
                            key.namespace(),
                            byNamespaceLabels ? inputs.namespaceLabels(key.namespace()) : Map.of());
            if (refusal != null) {
                outcomes.put(key, RouteOutcome.rejected(key, Reason.NOT_ALLOWED_BY_RELAY, refusal));
                continue;
            }
            TranslatedRoute translated;
            try {
                translated = translator.translate(route, inputs);
            } catch (RouteRejectedException e) {
                outcomes.put(key, RouteOutcome.rejected(key, e.reason(), e.getMessage()));
                continue;
            }
            long routeBytes = 0;
            for (TransportRule rule : translated.rules()) {
                routeBytes += PostfixRenderer.renderedBytes(rule);
            }
            if (routeBytes > budget.perRoute()) {
                outcomes.put(
                        key,
                        RouteOutcome.rejected(
                                key,
                                Reason.ROUTE_TOO_LARGE,
                                "the route would add "
                                        + routeBytes
                                        + " bytes to the configuration of MailRelay "
                                        + relayKey
                                        + "; one route may add at most "
                                        + budget.perRoute()
                                        + " bytes (split it into several routes, or use fewer domains, next hops "
                                        + "or includeSubdomains)"));
                continue;
            }
            List<TransportRule> mine = new ArrayList<>();
            List<DomainOutcome> lost = new ArrayList<>();
            translated
                    .withheld()
                    .forEach(
                            (domain, why) ->
                                    lost.add(
                                            new DomainOutcome(
                                                    domain,
                                                    "",
                                                    DomainOutcome.State.Withheld,
                                                    why.message())));
            long mineBytes = 0;
            long mineSecretBytes = 0;
            for (TransportRule rule : translated.rules()) {
                ResourceKey owner = owners.get(rule.domain());
                if (owner == null && rule.includeSubdomains()) {
                    owner = owners.get("." + rule.domain());
                }
                String treeRoot =
                        owner == null
                                ? foreignSubdomainTree(rule.domain(), key.namespace(), owners)
                                : null;
                if (owner != null) {
                    lost.add(
                            new DomainOutcome(
                                    rule.domain(),
                                    "",
                                    DomainOutcome.State.Conflict,
                                    "domain "
                                            + rule.domain()
                                            + " is already routed on MailRelay "
                                            + relayKey
                                            + " by the older MailRoute "
                                            + owner));
                } else if (treeRoot != null) {
                    ResourceKey treeOwner = owners.get("." + treeRoot);
                    lost.add(
                            new DomainOutcome(
                                    rule.domain(),
                                    "",
                                    DomainOutcome.State.Conflict,
                                    "domain "
                                            + rule.domain()
                                            + " is inside "
                                            + treeRoot
                                            + " and its subdomains, routed on "
                                            + "MailRelay "
                                            + relayKey
                                            + " by the older MailRoute "
                                            + treeOwner
                                            + " (includeSubdomains); only routes of namespace "
                                            + treeOwner.namespace()
                                            + " may route domains inside it"));
                } else {
                    mine.add(rule);
                    mineBytes += PostfixRenderer.renderedBytes(rule);
                    mineSecretBytes += PostfixRenderer.renderedSaslBytes(rule);
                }
            }
            if (secretBytes + mineSecretBytes > budget.perSecret()) {
                outcomes.put(
                        key,
                        RouteOutcome.rejected(
                                key,
                                "RelayConfigFull",
                                "MailRelay "
                                        + relayKey
                                        + " has no room for the route's credentials: older routes already fill "
                                        + secretBytes
                                        + " of the "
                                        + budget.perSecret()
                                        + " bytes the relay's credentials Secret may hold, and the "
                                        + "route would add "
                                        + mineSecretBytes));
                continue;
            }
            if (relayBytes + mineBytes > budget.perRelay()) {
                outcomes.put(
                        key,
                        RouteOutcome.rejected(
                                key,
                                Reason.RELAY_CONFIG_FULL,
                                "MailRelay "
                                        + relayKey
                                        + " has no room for the route: older routes already fill "
                                        + relayBytes
                                        + " of the "
                                        + budget.perRelay()
                                        + " bytes a relay's configuration may hold, and the route would add "
                                        + mineBytes));
                continue;
            }
            try {
                accepted.addAll(mine);
            } catch (PostfixInputException e) {
                outcomes.put(
                        key,
                        RouteOutcome.rejected(
                                key, Reason.CONFLICTS_WITH_OTHER_ROUTE, e.getMessage()));
                continue;
            }
            relayBytes += mineBytes;
            secretBytes += mineSecretBytes;
            for (TransportRule rule : mine) {
                owners.put(rule.domain(), key);
                if (rule.includeSubdomains()) {
                    owners.put("." + rule.domain(), key);
                }
            }
            renderedRules.put(key, mine);
            conflicts.put(key, lost);
        }

        PostfixConfig config = renderer.render(settings, accepted.rules());
        Map<String, String> nextHops = transportValues(config);
        for (Map.Entry<ResourceKey, List<TransportRule>> entry : renderedRules.entrySet()) {
            List<DomainOutcome> domains = new ArrayList<>();
            for (TransportRule rule : entry.getValue()) {
                domains.add(
                        new DomainOutcome(
                                rule.domain(),
                                nextHops.getOrDefault(rule.domain(), ""),
                                DomainOutcome.State.Programmed,
                                ""));
            }
            domains.addAll(conflicts.get(entry.getKey()));
            domains.sort(Comparator.comparing(DomainOutcome::domain));
            outcomes.put(
                    entry.getKey(),
                    new RouteOutcome(
                            entry.getKey(), true, Reason.ACCEPTED, "", List.copyOf(domains)));
        }
        return new RelayPlan(relayKey, Optional.of(config), null, null, outcomes);
    }

    /**
     * The closest parent domain of {@code domain} whose subdomain tree a route of another namespace
     * than {@code namespace} owns (that route claimed the parent with includeSubdomains), or null.
     * Looks up each parent label suffix once: O(labels of the domain).
     */
    private static String foreignSubdomainTree(
            String domain, String namespace, Map<String, ResourceKey> owners) {
        for (int dot = domain.indexOf('.'); dot >= 0; dot = domain.indexOf('.', dot + 1)) {
            String parent = domain.substring(dot + 1);
            ResourceKey owner = owners.get("." + parent);
            if (owner != null && !owner.namespace().equals(namespace)) {
                return parent;
            }
        }
        return null;
    }

    /** Transport map key -> value, from the rendered lines (comments skipped). */
    public static Map<String, String> transportValues(PostfixConfig config) {
        return parseTransport(config.transport());
    }

    /** Parses a rendered transport map text into key -> value. */
    public static Map<String, String> parseTransport(String transport) {
        Map<String, String> values = new TreeMap<>();
        if (transport == null) {
            return values;
        }
        for (String line : transport.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String[] keyAndValue = trimmed.split("\\s+", 2);
            if (keyAndValue.length == 2) {
                values.put(keyAndValue[0], keyAndValue[1]);
            }
        }
        return values;
    }
}
