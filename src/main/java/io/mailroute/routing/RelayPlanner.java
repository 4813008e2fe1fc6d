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
    private final Budget budget;
    private final Translations translations;

    public RelayPlanner(PostfixRenderer renderer, RouteTranslator translator) {
        this(renderer, translator, Budget.DEFAULT);
    }

    public RelayPlanner(PostfixRenderer renderer, RouteTranslator translator, Budget budget) {
        this.renderer = renderer;
        this.budget = budget;
        this.translations = new Translations(translator, System::nanoTime);
    }

    public RelayPlan plan(MailRelay relay, Collection<MailRoute> allRoutes, RouteInputs inputs) {
        ResourceKey relayKey = ResourceKey.of(relay);
        List<Candidate> candidates = new ArrayList<>();
        for (MailRoute route : allRoutes) {
            if (RouteAdmission.references(route, relayKey)) {
                candidates.add(new Candidate(route));
            }
        }
        candidates.sort(Candidate.OLDEST_FIRST);
        RelaySettings settings;
        try {
            settings = RelaySettingsTranslator.translate(relay, inputs);
        } catch (RouteRejectedException e) {
            Map<ResourceKey, RouteOutcome> outcomes = new HashMap<>();
            for (Candidate candidate : candidates) {
                ResourceKey key = candidate.key();
                outcomes.put(
                        key,
                        RouteOutcome.rejected(
                                key,
                                Reason.RELAY_INVALID,
                                "MailRelay " + relayKey + " is invalid: " + e.getMessage()));
            }
            return new RelayPlan(
                    relayKey,
                    Optional.empty(),
                    e.reason(),
                    e.getMessage(),
                    inKeyOrder(candidates, outcomes));
        }

        Map<ResourceKey, RouteOutcome> outcomes = new HashMap<>(2 * candidates.size());
        // sized for one domain per route, so that the map does not grow step by step
        Map<String, ResourceKey> owners = new HashMap<>(2 * candidates.size());
        // domain -> the route that claimed it with includeSubdomains (its whole subdomain tree)
        Map<String, ResourceKey> trees = new HashMap<>();
        RuleSet accepted = new RuleSet(settings);
        boolean byNamespaceLabels = RouteAdmission.needsNamespaceLabels(relay);
        long relayBytes = PostfixRenderer.baseBytes(settings);
        long secretBytes = 0;
        List<Admitted> admitted = new ArrayList<>();
        for (Candidate candidate : candidates) {
            MailRoute route = candidate.route();
            ResourceKey key = candidate.key();
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
                translated = translations.translate(key, route, inputs);
            } catch (RouteRejectedException e) {
                outcomes.put(key, RouteOutcome.rejected(key, e.reason(), e.getMessage()));
                continue;
            }
            List<TransportRule> rules = translated.rules();
            long[] ruleBytes = new long[rules.size()];
            long routeBytes = 0;
            for (int i = 0; i < ruleBytes.length; i++) {
                ruleBytes[i] = PostfixRenderer.renderedBytes(rules.get(i));
                routeBytes += ruleBytes[i];
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
            List<TransportRule> mine = new ArrayList<>(rules.size());
            List<DomainOutcome> lost = new ArrayList<>(0);
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
            for (int i = 0; i < ruleBytes.length; i++) {
                TransportRule rule = rules.get(i);
                ResourceKey owner = owners.get(rule.domain());
                if (owner == null && rule.includeSubdomains()) {
                    owner = trees.get(rule.domain());
                }
                String treeRoot =
                        owner == null
                                ? foreignSubdomainTree(rule.domain(), key.namespace(), trees)
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
                    ResourceKey treeOwner = trees.get(treeRoot);
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
                    mineBytes += ruleBytes[i];
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
                    trees.put(rule.domain(), key);
                }
            }
            admitted.add(new Admitted(key, mine, lost));
        }

        PostfixConfig config = accepted.render(renderer);
        for (Admitted route : admitted) {
            if (route.rendered().size() == 1 && route.lost().isEmpty()) {
                // the usual route of one domain, all of it rendered
                TransportRule rule = route.rendered().get(0);
                outcomes.put(
                        route.key(),
                        new RouteOutcome(
                                route.key(),
                                true,
                                Reason.ACCEPTED,
                                "",
                                List.of(
                                        new DomainOutcome(
                                                rule.domain(),
                                                PostfixRenderer.transportTarget(rule),
                                                DomainOutcome.State.Programmed,
                                                ""))));
                continue;
            }
            List<DomainOutcome> domains =
                    new ArrayList<>(route.rendered().size() + route.lost().size());
            for (TransportRule rule : route.rendered()) {
                // the value of the rule's line in the rendered transport map (every rendered rule
                // has one), built from the rule rather than parsed back from the rendered text
                domains.add(
                        new DomainOutcome(
                                rule.domain(),
                                PostfixRenderer.transportTarget(rule),
                                DomainOutcome.State.Programmed,
                                ""));
            }
            domains.addAll(route.lost());
            domains.sort(Comparator.comparing(DomainOutcome::domain));
            outcomes.put(
                    route.key(),
                    new RouteOutcome(route.key(), true, Reason.ACCEPTED, "", List.copyOf(domains)));
        }
        return new RelayPlan(
                relayKey, Optional.of(config), null, null, inKeyOrder(candidates, outcomes));
    }

    /**
     * {@code outcomes} ordered by route (namespace/name), as a TreeMap would hold them: sorted once
     * at the end, by the key text each candidate computed once, rather than kept sorted through
     * 100,000 insertions that each compared about 17 keys.
     */
    private static Map<ResourceKey, RouteOutcome> inKeyOrder(
            List<Candidate> candidates, Map<ResourceKey, RouteOutcome> outcomes) {
        List<Candidate> byKey = new ArrayList<>(candidates);
        byKey.sort(Candidate.BY_TEXT);
        Map<ResourceKey, RouteOutcome> sorted = new LinkedHashMap<>(2 * byKey.size());
        for (Candidate candidate : byKey) {
            sorted.put(candidate.key(), outcomes.get(candidate.key()));
        }
        return sorted;
    }

    /** An accepted route: its rules that are rendered, and its domains that are not. */
    private record Admitted(
            ResourceKey key, List<TransportRule> rendered, List<DomainOutcome> lost) {}

    /**
     * A route that references the relay, with what planning orders it by computed once (sorting
     * 100,000 routes compares them about 1.7 million times).
     */
    private record Candidate(String created, ResourceKey key, String text, MailRoute route) {
        /**
         * Oldest first (creationTimestamp, as text), then namespace/name ({@code text}, which sorts
         * as {@code key} does).
         */
        static final Comparator<Candidate> OLDEST_FIRST = new OldestFirst();

        /** By {@link #text} alone: namespace/name order. */
        static final Comparator<Candidate> BY_TEXT = new ByText();

        Candidate(MailRoute route) {
            this(
                    String.valueOf(route.getMetadata().getCreationTimestamp()),
                    ResourceKey.of(route),
                    route);
        }

        private Candidate(String created, ResourceKey key, MailRoute route) {
            this(created, key, key.toString(), route);
        }
    }

    /**
     * Written out rather than composed from {@code Comparator.comparing}: the C1-only JIT of the
     * operator image does not inline the composed lambdas, and a relay sorts all of its routes at
     * every plan. Creation timestamps are shared strings in the route caches, so equal ones are
     * usually the same object.
     */
    private static final class OldestFirst implements Comparator<Candidate> {
        @Override
        public int compare(Candidate a, Candidate b) {
            int byCreation = a.created() == b.created() ? 0 : a.created().compareTo(b.created());
            return byCreation != 0 ? byCreation : a.text().compareTo(b.text());
        }
    }

    /** See {@link OldestFirst}. */
    private static final class ByText implements Comparator<Candidate> {
        @Override
        public int compare(Candidate a, Candidate b) {
            return a.text().compareTo(b.text());
        }
    }

    /**
     * The closest parent domain of {@code domain} whose subdomain tree a route of another namespace
     * than {@code namespace} owns (that route claimed the parent with includeSubdomains, {@code
     * trees}), or null. Looks up each parent label suffix once: O(labels of the domain), and
     * nothing while no route claims a tree.
     */
    private static String foreignSubdomainTree(
            String domain, String namespace, Map<String, ResourceKey> trees) {
        if (trees.isEmpty()) {
            return null;
        }
        for (int dot = domain.indexOf('.'); dot >= 0; dot = domain.indexOf('.', dot + 1)) {
            String parent = domain.substring(dot + 1);
            ResourceKey owner = trees.get(parent);
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

    /**
     * Parses a rendered transport map text into key -> value: per line, without surrounding
     * whitespace, comments and blank lines skipped, the key up to the first whitespace (space, tab,
     * form feed, vertical tab, CR) and the value after it. Scans by hand rather than with {@code
     * split("\\s+")}: the operator parses a relay's transport map (100,000 lines for 100,000
     * domains) on ConfigMap events.
     */
    public static Map<String, String> parseTransport(String transport) {
        Map<String, String> values = new TreeMap<>();
        if (transport == null) {
            return values;
        }
        int length = transport.length();
        for (int start = 0; start < length; ) {
            int end = transport.indexOf('\n', start);
            if (end < 0) {
                end = length;
            }
            String line = transport.substring(start, end).strip();
            start = end + 1;
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            int gap = 0;
            while (gap < line.length() && !isSpace(line.charAt(gap))) {
                gap++;
            }
            int value = gap;
            while (value < line.length() && isSpace(line.charAt(value))) {
                value++;
            }
            if (gap < line.length()) {
                values.put(line.substring(0, gap), line.substring(value));
            }
        }
        return values;
    }

    /** The characters of the regular expression {@code \s}: [ \t\n\x0B\f\r]. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }
}
