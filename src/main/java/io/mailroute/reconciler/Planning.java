package io.mailroute.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mailroute.api.v1alpha1.DomainResolution;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.MailRouteStatus;
import io.mailroute.dependent.RelayConfigLayout;
import io.mailroute.dependent.RelayObjects;
import io.mailroute.postfix.PostfixRenderer;
import io.mailroute.routing.DomainOutcome;
import io.mailroute.routing.RelayPlan;
import io.mailroute.routing.RelayPlanner;
import io.mailroute.routing.ResourceKey;
import io.mailroute.routing.RouteOutcome;
import io.mailroute.routing.RouteTranslator;
import io.mailroute.validation.RenderPolicy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The one place a relay is planned, so route status and relay configuration always agree. The
 * MailRelay controller plans a relay once per reconcile and {@link #publish publishes} the plan it
 * rendered; the MailRoute controller reads a route's outcome from the {@link #published published}
 * plan and is woken (through {@link #events()}) only when its outcome changed. Planning a relay
 * costs O(N log N) in its N routes, and a route reconcile costs O(its domains).
 */
@ApplicationScoped
public class Planning {
    private final RelayPlanner planner;
    private final RenderPolicy policy;
    private final LongSupplier nanoTime;
    private final Wakeups<MailRoute> events = new Wakeups<>("relay-plans");
    private final Wakeups<MailRelay> relayEvents = new Wakeups<>("route-resolutions");

    /**
     * route -> what its controller found that its status does not say yet ({@link #offer}): DNS
     * resolutions the relay plans from before they are written, and since when the route waits for
     * a plan of them.
     */
    private final Map<ResourceKey, Pending> pending = new ConcurrentHashMap<>();

    /** Copies {@link #withPending} made, kept while their offer is pending. */
    private final Map<ResourceKey, PlanningCopy> copies = new ConcurrentHashMap<>();

    /**
     * relay -> the plan last rendered into its ConfigMap, with the uid of the MailRelay it was made
     * for.
     */
    private final Map<ResourceKey, Published> published = new ConcurrentHashMap<>();

    /** relay ConfigMap -> its parsed transport map, for the resourceVersion it was parsed at. */
    private final Map<ResourceKey, WrittenTransport> written = new ConcurrentHashMap<>();

    /**
     * relay -> the transport map its ConfigMaps held at the last ConfigMap event the route
     * controller saw ({@link #routesToWake}), with its parsed parts when sharded.
     */
    private final Map<ResourceKey, WrittenTransport> seen = new ConcurrentHashMap<>();

    /** When {@link #withPending} last pruned ({@link System#nanoTime}), or {@link #NEVER}. */
    private volatile long lastPrune = NEVER;

    private static final long NEVER = Long.MIN_VALUE;

    /**
     * How long a route holds back a status that only says "not yet written" while the relay's
     * ConfigMap write is on its way to the route controller's cache ({@link #writeInFlight}).
     * Normally that takes milliseconds; the bound keeps a write the cache never shows (an API error
     * after the apply, a relay deleted meanwhile) from hiding the route's state for longer.
     */
    static final Duration WRITE_IN_FLIGHT = Duration.ofSeconds(10);

    /**
     * A plan with the generation of every route it was made from, the config hash the relay wrote
     * for it (null when it wrote nothing) and when it was published ({@link System#nanoTime}).
     */
    private record Published(
            String relayUid,
            RelayPlan plan,
            Map<ResourceKey, PlannedFrom> from,
            String configHash,
            long publishedAt) {
        /**
         * The routes whose outcome on this relay names one of {@code domains}: one pass over the
         * outcomes, without a map of every domain (an edit changes one line of 10,000, and the
         * ConfigMap informer asks at every write).
         */
        Set<ResourceKey> owning(Set<String> domains) {
            Set<ResourceKey> owners = new HashSet<>();
            for (Map.Entry<ResourceKey, RouteOutcome> entry : plan.routes().entrySet()) {
                List<DomainOutcome> outcomes = entry.getValue().domains();
                for (int i = 0; i < outcomes.size(); i++) {
                    if (domains.contains(outcomes.get(i).domain())) {
                        owners.add(entry.getKey());
                        break;
                    }
                }
            }
            return owners;
        }
    }

    /**
     * What a plan was made from for one route: its generation and the resolutions it carried (those
     * of its status, or offered). One entry per route rather than a map each: {@link #publish}
     * builds and compares them for every route of a relay at every plan.
     */
    private record PlannedFrom(long generation, List<DomainResolution> resolutions) {}

    /**
     * Resolutions of one generation of a route (uid) that its status does not carry, offered since
     * {@code since} ({@link System#nanoTime}).
     */
    private record Pending(
            String uid,
            long generation,
            List<DomainResolution> resolutions,
            long since,
            boolean written) {
        /** This offer with {@code equal} (resolutions equal to its own) in place of its own. */
        Pending holding(List<DomainResolution> equal) {
            return new Pending(uid, generation, equal, since, written);
        }

        boolean of(MailRoute route) {
            return Objects.equals(uid, route.getMetadata().getUid())
                    && generation == Planning.generation(route);
        }
    }

    /**
     * A relay ConfigMap's transport map as read at one resourceVersion, with the parsed parts of a
     * sharded map (by part key; empty when inline).
     */
    record WrittenTransport(
            String resourceVersion, Map<String, String> entries, Map<String, ParsedPart> parts) {
        /** No ConfigMap, or no transport map in it. */
        static final WrittenTransport NONE = new WrittenTransport(null, Map.of(), Map.of());
    }

    /** One part of a sharded transport map: the string read, its digest, and its lines. */
    record ParsedPart(String content, String sha256, Map<String, String> entries) {}

    /**
     * The copy {@link #withPending} planned from for a cached route object (compared by identity,
     * as are the offer's resolutions the copy carries).
     */
    private record PlanningCopy(MailRoute cached, MailRoute route) {}

    @Inject
    public Planning(OperatorConfig config) {
        this(config, System::nanoTime);
    }

    Planning(OperatorConfig config, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.policy = new RenderPolicy(config.validation().hardFailureThreshold());
        this.planner = new RelayPlanner(new PostfixRenderer(), new RouteTranslator(policy));
    }

    /** Plans {@code relay} from the routes that reference it (others are ignored). */
    public RelayPlan plan(MailRelay relay, Collection<MailRoute> routes, KubernetesClient client) {
        return planner.plan(relay, routes, new ClusterRouteInputs(client));
    }

    /**
     * Hands the relays of {@code route} the DNS resolutions its controller has for the route's
     * current generation ({@code resolutions}) before they are in the route's status, and wakes
     * those relays when they are new. Relays plan from them ({@link #withPending}), so the route's
     * status can wait for the plan and be written once, with the resolutions and the outcome
     * together, instead of once to carry the resolutions to the relay and once more for the
     * outcome: a MailRoute status write costs the API server as much as the route's create. Nothing
     * rests on this memory alone: the route's status gets the resolutions within {@link
     * #WRITE_IN_FLIGHT} ({@link #planBehind}), and a new leader plans from the statuses.
     */
    public void offer(MailRoute route, List<DomainResolution> resolutions) {
        ResourceKey key = ResourceKey.of(route);
        MailRouteStatus status = route.getStatus();
        if (status != null
                && Objects.equals(status.observedGeneration, route.getMetadata().getGeneration())
                && Objects.equals(status.resolutions, resolutions)) {
            pending.remove(key);
            return;
        }
        Pending before = currentOffer(route);
        if (before != null && Objects.equals(before.resolutions(), resolutions)) {
            return;
        }
        List<DomainResolution> known = before != null ? before.resolutions() : resolutions(route);
        pending.put(
                key,
                new Pending(
                        route.getMetadata().getUid(),
                        generation(route),
                        List.copyOf(resolutions),
                        nanoTime.getAsLong(),
                        false));
        // a re-check that renders the same (most move only checkedAt and nextCheckAt) does not
        // plan the relay again: at 10,000 routes that was a full plan every few re-checks
        if (!Objects.equals(resolutions(route), resolutions)
                && !policy.sameRendering(route, known, resolutions)) {
            relayEvents.wake(MailRouteReconciler.keysOf(MailRelayReconciler.relaysOf(route)));
        }
    }

    /**
     * {@code routes} (a relay's cache) with the resolutions offered for them ({@link #offer}) in
     * place of those in their status, for planning; offers the status caught up with, or of a route
     * deleted, replaced or changed since, are dropped. The cached routes are not modified.
     */
    public List<MailRoute> withPending(List<MailRoute> routes) {
        if (pending.isEmpty()) {
            return routes;
        }
        List<MailRoute> result = new ArrayList<>(routes.size());
        for (MailRoute route : routes) {
            ResourceKey key = ResourceKey.of(route);
            Pending offered = pending.get(key);
            List<DomainResolution> status = resolutions(route);
            if (offered == null || !offered.of(route) || offered.resolutions() == status) {
                result.add(route);
                continue;
            }
            // the same copy while neither the cached route nor the offer changes: a re-check that
            // moved only checkedAt is offered and not written (RouteStatusFactory), and a new
            // MailRoute per such route per plan was over a quarter of a relay's planning at 10,000
            // routes (its constructor works out the resource's plural with regular expressions).
            // Looked up before the offer is compared with the status: a copy exists only for an
            // offer the status did not carry, and comparing the two again at every plan was a
            // third of a relay's reconcile.
            PlanningCopy copy = copies.get(key);
            if (copy != null
                    && copy.cached() == route
                    && copy.route().getStatus().resolutions == offered.resolutions()) {
                result.add(copy.route());
                continue;
            }
            if (Objects.equals(offered.resolutions(), status)) {
                // The status carries the offer. The offer stays until the route controller sees
                // that too (writtenBefore), but holds the cached list from now on: the next plan
                // compares by identity, and the offered copy can be collected.
                pending.replace(key, offered, offered.holding(status));
                copies.remove(key);
                result.add(route);
                continue;
            }
            copy = new PlanningCopy(route, withResolutions(route, offered));
            copies.put(key, copy);
            result.add(copy.route());
        }
        prune(routes);
        return result;
    }

    /**
     * Drops offers of routes no longer in {@code routes} (deleted or moved to another relay) once
     * they are older than {@link #WRITE_IN_FLIGHT}, and copies without an offer. Runs at most once
     * per {@link #WRITE_IN_FLIGHT}: it looks up every offer, and at 10,000 routes every plan did.
     */
    private void prune(List<MailRoute> routes) {
        long now = nanoTime.getAsLong();
        long last = lastPrune;
        if (last != NEVER && now - last < WRITE_IN_FLIGHT.toNanos()) {
            return;
        }
        lastPrune = now;
        Set<ResourceKey> present = new HashSet<>(2 * routes.size());
        for (MailRoute route : routes) {
            present.add(ResourceKey.of(route));
        }
        pending.entrySet()
                .removeIf(
                        e ->
                                !present.contains(e.getKey())
                                        && now - e.getValue().since() > WRITE_IN_FLIGHT.toNanos());
        copies.keySet().removeIf(key -> !pending.containsKey(key));
    }

    /** {@code route} as the relay plans it: the offered resolutions in place of its status. */
    private static MailRoute withResolutions(MailRoute route, Pending offered) {
        MailRoute copy = new MailRoute();
        copy.setMetadata(route.getMetadata());
        copy.setSpec(route.getSpec());
        MailRouteStatus status = new MailRouteStatus();
        status.observedGeneration =
                route.getStatus() == null ? null : route.getStatus().observedGeneration;
        status.resolutions = offered.resolutions();
        copy.setStatus(status);
        return copy;
    }

    /**
     * Records {@code plan}, made from {@code routes}, as what {@code relay} renders ({@code
     * configHash}: the hash of the ConfigMap just written for it, null when none was), and wakes
     * the routes whose outcome or planned generation differs from the plan published before (routes
     * that appeared or disappeared included).
     */
    public void publish(
            MailRelay relay, RelayPlan plan, Collection<MailRoute> routes, String configHash) {
        Map<ResourceKey, PlannedFrom> from = new HashMap<>(2 * plan.routes().size());
        for (MailRoute route : routes) {
            ResourceKey key = ResourceKey.of(route);
            if (plan.routes().containsKey(key)) {
                from.put(key, new PlannedFrom(generation(route), resolutions(route)));
            }
        }
        Published before =
                published.put(
                        plan.relay(),
                        new Published(
                                relay.getMetadata().getUid(),
                                plan,
                                from,
                                configHash,
                                nanoTime.getAsLong()));
        Map<ResourceKey, RouteOutcome> old = before == null ? Map.of() : before.plan().routes();
        Map<ResourceKey, PlannedFrom> oldFrom = before == null ? Map.of() : before.from();
        Set<ResourceKey> changed = new HashSet<>();
        for (Map.Entry<ResourceKey, RouteOutcome> entry : plan.routes().entrySet()) {
            ResourceKey route = entry.getKey();
            PlannedFrom is = from.get(route);
            PlannedFrom was = oldFrom.get(route);
            // resolutions by identity first: the cache replaces a route's status when it
            // changes; equal ones (an offer the status now carries) wake nothing
            if (was == null
                    || is.generation() != was.generation()
                    || is.resolutions() != was.resolutions()
                            && !Objects.equals(is.resolutions(), was.resolutions())
                    || !entry.getValue().equals(old.get(route))) {
                changed.add(route);
            }
        }
        old.keySet().stream()
                .filter(route -> !plan.routes().containsKey(route))
                .forEach(changed::add);
        events.wake(changed);
    }

    /**
     * The plan {@code relay} last published, as far as it concerns {@code route}: without an
     * outcome for the route (so the route is Pending) when the relay has not planned yet, or
     * planned an older generation of the route (then without the other routes' outcomes too). A
     * route's status never reports an outcome for a spec the relay has not rendered.
     */
    public RelayPlan publishedFor(MailRelay relay, MailRoute route) {
        ResourceKey relayKey = ResourceKey.of(relay);
        Published entry = current(relay);
        if (entry == null) {
            return new RelayPlan(relayKey, Optional.empty(), null, null, Map.of());
        }
        ResourceKey routeKey = ResourceKey.of(route);
        PlannedFrom from = entry.from().get(routeKey);
        if (from == null || from.generation() != generation(route)) {
            // no outcome for this route; those of the others are not for its status either, and
            // copying 10,000 of them for every route reconciled before its relay planned was
            // an allocation of the whole plan
            RelayPlan plan = entry.plan();
            return new RelayPlan(
                    relayKey, plan.config(), plan.errorReason(), plan.errorMessage(), Map.of());
        }
        return entry.plan();
    }

    /**
     * How much longer a route of {@code relay} may wait for the relay's last ConfigMap write to
     * reach the route controller's cache, or empty when there is nothing to wait for: {@code
     * written} (the relay's ConfigMap as that cache holds it) carries the config hash of the plan
     * the relay published, the relay wrote nothing for it, or {@link #WRITE_IN_FLIGHT} has passed.
     * While a write is in flight, a route whose planned lines are not in {@code written} yet will
     * see them with the next ConfigMap event ({@link #routesToWake} wakes it), so a status saying
     * "not yet written" would be overwritten within milliseconds: at 10,000 routes it was one of
     * 3.4 status writes per route, each costing the API server as much as the route's create.
     */
    public Optional<Duration> writeInFlight(MailRelay relay, ConfigMap written) {
        Published entry = current(relay);
        if (entry == null || entry.configHash() == null) {
            return Optional.empty();
        }
        String seen =
                written == null || written.getMetadata().getAnnotations() == null
                        ? null
                        : written.getMetadata()
                                .getAnnotations()
                                .get(RelayObjects.CONFIG_HASH_ANNOTATION);
        if (entry.configHash().equals(seen)) {
            return Optional.empty();
        }
        return remaining(entry.publishedAt());
    }

    /**
     * How much longer a route may wait for {@code relay} to plan it again, or empty: the relay's
     * last plan was made from another generation of the route, or from other DNS resolutions than
     * {@code resolutions} (those its status is about to carry), so the outcome it gives the route
     * is about to change. The spec change, or the {@link #offer} of the resolutions, wakes the
     * relay, and the plan it publishes then wakes the route ({@link #publish}); until then a status
     * built from the old plan (say, a domain still withheld for want of a resolution) would be
     * overwritten at once. Bounded by {@link #WRITE_IN_FLIGHT} from the offer of {@code
     * resolutions}, or from the last publish.
     */
    public Optional<Duration> planBehind(
            MailRelay relay, MailRoute route, List<DomainResolution> resolutions) {
        Published entry = current(relay);
        ResourceKey key = ResourceKey.of(route);
        if (entry == null) {
            return Optional.empty();
        }
        PlannedFrom from = entry.from().get(key);
        Long planned = from == null ? null : from.generation();
        if (planned != null
                && planned == generation(route)
                && (Objects.equals(from.resolutions(), resolutions)
                        || policy.sameRendering(route, from.resolutions(), resolutions))) {
            return Optional.empty(); // planned from these, or from ones that render the same
        }
        if (planned != null && planned > generation(route)) {
            return Optional.empty(); // this reconcile started from an older route than the plan
        }
        long since = entry.publishedAt();
        Pending offered = currentOffer(route);
        if (offered != null && Objects.equals(offered.resolutions(), resolutions)) {
            since = Math.max(since, offered.since());
        }
        return remaining(since);
    }

    /**
     * The plan last published for this MailRelay, or null: none yet, or one made for an earlier
     * MailRelay of the same name (another uid).
     */
    private Published current(MailRelay relay) {
        Published entry = published.get(ResourceKey.of(relay));
        return entry != null && Objects.equals(entry.relayUid(), relay.getMetadata().getUid())
                ? entry
                : null;
    }

    private Optional<Duration> remaining(long since) {
        Duration left = WRITE_IN_FLIGHT.minusNanos(nanoTime.getAsLong() - since);
        return left.isNegative() || left.isZero() ? Optional.empty() : Optional.of(left);
    }

    private static List<DomainResolution> resolutions(MailRoute route) {
        return route.getStatus() == null ? null : route.getStatus().resolutions;
    }

    private static long generation(MailRoute route) {
        Long generation = route.getMetadata().getGeneration();
        return generation == null ? 0 : generation;
    }

    /**
     * The transport map in a relay ConfigMap, parsed once per resourceVersion (every route of the
     * relay reads it). A sharded map ({@link RelayConfigLayout}) is read from the shard ConfigMaps
     * {@code shard} gives; while a shard does not yet hold the part the manifest names, nothing
     * counts as written (and nothing is cached).
     */
    public Map<String, String> writtenTransport(
            ConfigMap configMap, Function<String, ConfigMap> shard) {
        return readWritten(configMap, shard).map(WrittenTransport::entries).orElse(Map.of());
    }

    /**
     * The transport map of {@link #writtenTransport} with the parsed parts of a sharded map, but
     * empty while the ConfigMap and its shards do not agree (a shard already holds a newer part
     * than the manifest names); no ConfigMap or no transport file is {@link WrittenTransport#NONE}.
     */
    private Optional<WrittenTransport> readWritten(
            ConfigMap configMap, Function<String, ConfigMap> shard) {
        if (configMap == null || configMap.getData() == null) {
            return Optional.of(WrittenTransport.NONE);
        }
        ResourceKey key = ResourceKey.of(configMap);
        String version = configMap.getMetadata().getResourceVersion();
        WrittenTransport cached = written.get(key);
        if (cached != null && Objects.equals(cached.resourceVersion(), version)) {
            return Optional.of(cached);
        }
        String relay =
                configMap.getMetadata().getLabels() == null
                        ? null
                        : configMap.getMetadata().getLabels().get(RelayObjects.RELAY_LABEL);
        Map<String, String> data = configMap.getData();
        if (!data.containsKey("transport") && !data.containsKey("transport.parts")) {
            return Optional.of(WrittenTransport.NONE);
        }
        Map<String, ParsedPart> parts = new HashMap<>();
        Map<String, String> entries;
        if (data.containsKey("transport")) {
            entries = Map.copyOf(RelayPlanner.parseTransport(data.get("transport")));
        } else {
            if (relay == null) {
                return Optional.empty();
            }
            // An edit rewrites one shard: the parts of the others are the same strings as last
            // time (the informer keeps an unchanged ConfigMap), so they are neither hashed nor
            // parsed again.
            Map<String, ParsedPart> before = cached == null ? Map.of() : cached.parts();
            Optional<List<RelayConfigLayout.ReadPart>> read =
                    RelayConfigLayout.parts(
                            "transport",
                            data,
                            n -> {
                                ConfigMap shardMap =
                                        shard.apply(RelayObjects.configShardName(relay, n));
                                return shardMap == null ? null : shardMap.getData();
                            },
                            (ref, content) -> parsedBefore(before, ref, content) != null);
            if (read.isEmpty()) {
                return Optional.empty();
            }
            Map<String, String> merged = new HashMap<>();
            for (RelayConfigLayout.ReadPart readPart : read.get()) {
                ParsedPart part = parsedBefore(before, readPart.ref(), readPart.content());
                if (part == null) {
                    part =
                            new ParsedPart(
                                    readPart.content(),
                                    readPart.ref().sha256(),
                                    RelayPlanner.parseTransport(readPart.content()));
                }
                parts.put(readPart.ref().key(), part);
                merged.putAll(part.entries());
            }
            entries = Collections.unmodifiableMap(merged);
        }
        WrittenTransport read = new WrittenTransport(version, entries, parts);
        written.put(key, read);
        return Optional.of(read);
    }

    /**
     * The part parsed at an earlier read when it is this very string (the informer's, compared by
     * identity) checked against this digest, else null.
     */
    private static ParsedPart parsedBefore(
            Map<String, ParsedPart> before, RelayConfigLayout.PartRef ref, String content) {
        ParsedPart part = before.get(ref.key());
        return part != null && part.content() == content && part.sha256().equals(ref.sha256())
                ? part
                : null;
    }

    /**
     * The routes to reconcile after an event of one of {@code relay}'s ConfigMaps ({@code
     * configMap}: the relay's main ConfigMap as the cache holds it now, null when there is none):
     * those owning a domain whose written line differs from the one seen at the previous event. A
     * route's Programmed condition depends on nothing else in the ConfigMap, so the other routes of
     * a large relay are not reconciled for every write. The first event of a relay, or one before
     * the relay published a plan, wakes {@code all} of them; an event while the shards and the
     * manifest disagree wakes none (the event that makes them agree follows). Called by the
     * ConfigMap informer, one event at a time.
     */
    public Set<ResourceKey> routesToWake(
            ResourceKey relay,
            ConfigMap configMap,
            Function<String, ConfigMap> shard,
            Supplier<Set<ResourceKey>> all) {
        Optional<WrittenTransport> now = readWritten(configMap, shard);
        if (now.isEmpty()) {
            return Set.of();
        }
        WrittenTransport before = seen.put(relay, now.get());
        Published plan = published.get(relay);
        if (before == null || plan == null) {
            return all.get();
        }
        Set<String> changed = changedDomains(before, now.get());
        return changed.isEmpty() ? Set.of() : plan.owning(changed);
    }

    /**
     * The domains whose line differs between two reads of a relay's transport map. Of a sharded map
     * only the parts that are not the very part read before are compared (an unchanged part is the
     * same parsed object: {@link #parsedBefore}), as a group, so a line that moved between two
     * changed parts counts only if its text changed; a read of a map inline, or of other parts,
     * compares every line.
     */
    static Set<String> changedDomains(WrittenTransport before, WrittenTransport now) {
        Map<String, String> was = before.entries();
        Map<String, String> is = now.entries();
        if (!before.parts().isEmpty() && before.parts().keySet().equals(now.parts().keySet())) {
            Map<String, String> wasChanged = new HashMap<>();
            Map<String, String> isChanged = new HashMap<>();
            for (Map.Entry<String, ParsedPart> part : now.parts().entrySet()) {
                ParsedPart old = before.parts().get(part.getKey());
                if (old != part.getValue()) {
                    wasChanged.putAll(old.entries());
                    isChanged.putAll(part.getValue().entries());
                }
            }
            was = wasChanged;
            is = isChanged;
        }
        Set<String> changed = new HashSet<>();
        for (Map.Entry<String, String> line : is.entrySet()) {
            if (!line.getValue().equals(was.get(line.getKey()))) {
                changed.add(line.getKey());
            }
        }
        for (String domain : was.keySet()) {
            if (!is.containsKey(domain)) {
                changed.add(domain);
            }
        }
        return changed;
    }

    Wakeups<MailRoute> events() {
        return events;
    }

    /** Relays to plan again for resolutions offered by their routes ({@link #offer}). */
    Wakeups<MailRelay> relayEvents() {
        return relayEvents;
    }

    /**
     * The resolutions offered for {@code route}'s generation ({@link #offer}), or null: a status
     * update that only brings these changes nothing the relay plans from.
     */
    List<DomainResolution> offered(MailRoute route) {
        Pending offered = currentOffer(route);
        return offered == null ? null : offered.resolutions();
    }

    /**
     * Records that the route controller wrote {@code resolutions}, the offered ones, into the
     * route's status, and answers whether it had done so before: a reconcile that starts from a
     * cache not yet showing that write computes the same status again (and would announce the same
     * Kubernetes Events again). Forgotten with the offer once the cache shows the write.
     */
    boolean writtenBefore(MailRoute route, List<DomainResolution> resolutions) {
        Pending offered = currentOffer(route);
        if (offered == null || !Objects.equals(offered.resolutions(), resolutions)) {
            return false;
        }
        if (!offered.written()) {
            pending.replace(
                    ResourceKey.of(route),
                    offered,
                    new Pending(
                            offered.uid(),
                            offered.generation(),
                            offered.resolutions(),
                            offered.since(),
                            true));
        }
        return offered.written();
    }

    /**
     * What is offered for this route's uid and generation, or null: nothing, or an offer for an
     * earlier generation or an earlier route of the same name.
     */
    private Pending currentOffer(MailRoute route) {
        Pending offered = pending.get(ResourceKey.of(route));
        return offered != null && offered.of(route) ? offered : null;
    }
}
