package io.mailroute.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.mailroute.api.v1alpha1.DomainResolution;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.MailRouteStatus;
import io.mailroute.dependent.RelayConfigLayout;
import io.mailroute.dependent.RelayObjects;
import io.mailroute.postfix.PostfixRenderer;
import io.mailroute.routing.RelayPlan;
import io.mailroute.routing.RelayPlanner;
import io.mailroute.routing.ResourceKey;
import io.mailroute.routing.RouteTranslator;
import io.mailroute.testing.Resources;
import io.mailroute.validation.RenderPolicy;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The published plan: what route reconciles read, and which routes a new plan wakes. */
class PlanningTest {

    private final RelayPlanner planner =
            new RelayPlanner(new PostfixRenderer(), new RouteTranslator(new RenderPolicy(3)));
    private final AtomicLong nanoTime = new AtomicLong();
    private final Planning planning = new Planning(config(), nanoTime::get);
    private final List<String> woken = new ArrayList<>();
    private final MailRelay relay = Resources.relay("mail", "relay");
    private final MailRoute a = route("a", "a.example", 1);
    private final MailRoute b = route("b", "b.example", 1);

    @BeforeEach
    void listen() {
        relay.getMetadata().setUid("uid-1");
        planning.events()
                .setEventHandler(
                        (Event event) -> woken.add(event.getRelatedCustomResourceID().getName()));
        planning.events().start();
    }

    @Test
    void aNewPlanWakesOnlyTheRoutesWhoseOutcomeOrGenerationChanged() {
        publish(a, b);
        assertThat(woken).containsExactlyInAnyOrder("a", "b");

        woken.clear();
        publish(a, b);
        assertThat(woken).as("same plan again").isEmpty();

        MailRoute bEdited = route("b", "b2.example", 2);
        publish(a, bEdited);
        assertThat(woken).containsExactly("b");

        woken.clear();
        publish(a);
        assertThat(woken).as("b left the relay").containsExactly("b");

        woken.clear();
        publish(a, b);
        woken.clear();
        MailRoute c = route("c", "c.example", 1);
        publish(a, c);
        assertThat(woken)
                .as("as many routes as before, one of them another")
                .containsExactlyInAnyOrder("b", "c");
    }

    @Test
    void anOfferIsPlannedForItsOwnRouteOnlyNotForOneOfTheSameNameInAnotherNamespace() {
        MailRoute other = Resources.pinnedRoute("other", "a", "relay", "mx.o.example", "o.example");
        other.getMetadata().setGeneration(1L);
        other.getMetadata().setCreationTimestamp("2026-01-01T00:00:09Z");
        List<DomainResolution> checked = List.of(resolution("a.example"));
        planning.offer(a, checked);

        List<MailRoute> planned = planning.withPending(List.of(other, a, b));

        assertThat(planned.get(0)).isSameAs(other);
        assertThat(planned.get(1).getStatus().resolutions).isEqualTo(checked);
        assertThat(planned.get(2)).isSameAs(b);
    }

    @Test
    void aRouteNeverSeesAnOutcomePlannedForAnotherGenerationOfIt() {
        publish(a, b);
        assertThat(planning.publishedFor(relay, b).outcome(ResourceKey.of(b))).isPresent();

        MailRoute bEdited = route("b", "b2.example", 2);
        assertThat(planning.publishedFor(relay, bEdited).outcome(ResourceKey.of(b)))
                .as("not planned yet")
                .isEmpty();
        assertThat(planning.publishedFor(relay, a).outcome(ResourceKey.of(a))).isPresent();

        publish(a, bEdited);
        assertThat(planning.publishedFor(relay, bEdited).outcome(ResourceKey.of(b)))
                .get()
                .satisfies(
                        outcome ->
                                assertThat(outcome.domains())
                                        .extracting(d -> d.domain())
                                        .containsExactly("b2.example"));
    }

    @Test
    void aRecreatedRelayOfTheSameNameStartsWithoutAPlan() {
        publish(a);
        MailRelay recreated = Resources.relay("mail", "relay");
        recreated.getMetadata().setUid("uid-2");

        RelayPlan plan = planning.publishedFor(recreated, a);
        assertThat(plan.routes()).isEmpty();
        assertThat(plan.config()).isEmpty();
    }

    @Test
    void aConfigMapEventWakesOnlyTheRoutesWhoseWrittenLinesChanged() {
        MailRoute c = route("c", "c.example", 1);
        publish(a, b, c);
        Set<ResourceKey> all = Set.of(ResourceKey.of(a), ResourceKey.of(b), ResourceKey.of(c));
        ResourceKey relayKey = ResourceKey.of(relay);

        assertThat(wake(relayKey, configMap("1", "a.example smtp:[mx.a.example]:25\n"), all))
                .as("first event of the relay: every route")
                .isEqualTo(all);
        assertThat(
                        wake(
                                relayKey,
                                configMap(
                                        "2",
                                        "a.example smtp:[mx.a.example]:25\n"
                                                + "b.example smtp:[mx.b.example]:25\n"),
                                all))
                .as("b's line appeared")
                .containsExactly(ResourceKey.of(b));
        assertThat(
                        wake(
                                relayKey,
                                configMap(
                                        "3",
                                        "a.example smtp:[other.example]:25\n"
                                                + "b.example smtp:[mx.b.example]:25\n"),
                                all))
                .as("a's line changed")
                .containsExactly(ResourceKey.of(a));
        assertThat(
                        wake(
                                relayKey,
                                configMap(
                                        "4",
                                        "a.example smtp:[other.example]:25\n"
                                                + "b.example smtp:[mx.b.example]:25\n"),
                                all))
                .as("a rewrite with the same lines (e.g. main.cf changed)")
                .isEmpty();
        assertThat(wake(relayKey, null, all))
                .as("ConfigMap deleted: every route that had a line")
                .containsExactlyInAnyOrder(ResourceKey.of(a), ResourceKey.of(b));
    }

    @Test
    void aShardedConfigMapEventWakesOnlyTheOwnersOfLinesThatChangedInTheRewrittenShards() {
        MailRoute c = route("c", "c.example", 1);
        publish(a, b, c);
        Set<ResourceKey> all = Set.of(ResourceKey.of(a), ResourceKey.of(b), ResourceKey.of(c));
        ResourceKey relayKey = ResourceKey.of(relay);
        String lineA = "a.example smtp:[mx.a.example]:25\n";
        String lineB = "b.example smtp:[mx.b.example]:25\n";
        Map<String, ConfigMap> shards = new HashMap<>();
        shards.put("relay-config-1", shard(1, "transport.part-001", lineA + lineB));
        shards.put("relay-config-2", shard(2, "transport.part-002", "c.example smtp:[x]:25\n"));
        assertThat(planning.routesToWake(relayKey, manifest("1", shards), shards::get, () -> all))
                .as("first event of the relay: every route")
                .isEqualTo(all);

        shards.put("relay-config-2", shard(2, "transport.part-002", "c.example smtp:[y]:25\n"));
        assertThat(planning.routesToWake(relayKey, manifest("2", shards), shards::get, () -> all))
                .as("shard 2 rewritten: the owner of its changed line")
                .containsExactly(ResourceKey.of(c));

        shards.put("relay-config-1", shard(1, "transport.part-001", lineA));
        shards.put(
                "relay-config-2",
                shard(2, "transport.part-002", lineB + "c.example smtp:[y]:25\n"));
        assertThat(planning.routesToWake(relayKey, manifest("3", shards), shards::get, () -> all))
                .as("b's line moved between two rewritten shards with the same text")
                .isEmpty();

        shards.put("relay-config-2", shard(2, "transport.part-002", lineB));
        assertThat(planning.routesToWake(relayKey, manifest("4", shards), shards::get, () -> all))
                .as("c's line gone from a rewritten shard")
                .containsExactly(ResourceKey.of(c));

        assertThat(wake(relayKey, configMap("5", lineA + "b.example smtp:[other]:25\n"), all))
                .as("the map inline again: every line compared")
                .containsExactly(ResourceKey.of(b));
    }

    @Test
    void aShardNewerThanTheManifestWakesNoRouteUntilTheManifestFollows() {
        publish(a, b);
        Set<ResourceKey> all = Set.of(ResourceKey.of(a), ResourceKey.of(b));
        ResourceKey relayKey = ResourceKey.of(relay);
        wake(relayKey, configMap("1", "a.example smtp:[mx.a.example]:25\n"), all);

        ConfigMap main = configMap("2", null);
        main.getData()
                .put("transport.parts", "transport.0 1 " + "0".repeat(64) + "\n"); // stale digest
        ConfigMap shard = configMap("3", null);
        shard.getMetadata().setName("relay-config-1");
        shard.getData().put("transport.0", "b.example smtp:[mx.b.example]:25\n");
        assertThat(planning.routesToWake(relayKey, main, name -> shard, () -> all)).isEmpty();
    }

    @Test
    void aShardedMapIsReadFromItsPartsAndFollowsTheOneShardAnEditRewrote() {
        Map<String, ConfigMap> shards = new HashMap<>();
        shards.put("relay-config-1", shard(1, "transport.part-001", "a.example smtp:[x]:25\n"));
        shards.put("relay-config-2", shard(2, "transport.part-002", "b.example smtp:[y]:25\n"));
        ConfigMap main = manifest("1", shards);
        assertThat(planning.writtenTransport(main, shards::get))
                .containsOnly(
                        Map.entry("a.example", "smtp:[x]:25"),
                        Map.entry("b.example", "smtp:[y]:25"));

        // an edit rewrites shard 2, then the manifest
        shards.put("relay-config-2", shard(2, "transport.part-002", "b.example smtp:[z]:25\n"));
        assertThat(planning.writtenTransport(main, shards::get))
                .as("the same manifest version: what was read for it")
                .containsEntry("b.example", "smtp:[y]:25");
        ConfigMap stale = manifest("2", Map.of("relay-config-1", shards.get("relay-config-1")));
        stale.getData()
                .put(
                        "transport.parts",
                        stale.getData().get("transport.parts")
                                + "transport.part-002 2 "
                                + "0".repeat(64)
                                + "\n");
        assertThat(planning.writtenTransport(stale, shards::get))
                .as("a part that does not match the manifest's digest: nothing counts as written")
                .isEmpty();
        ConfigMap next = manifest("3", shards);
        assertThat(planning.writtenTransport(next, shards::get))
                .containsOnly(
                        Map.entry("a.example", "smtp:[x]:25"),
                        Map.entry("b.example", "smtp:[z]:25"));
        // the part the manifest names changes while the shard still holds the string read before
        ConfigMap ahead = manifest("4", shards);
        ahead.getData()
                .put(
                        "transport.parts",
                        ahead.getData()
                                .get("transport.parts")
                                .replace(
                                        RelayConfigLayout.sha256("b.example smtp:[z]:25\n"),
                                        RelayConfigLayout.sha256("b.example smtp:[w]:25\n")));
        assertThat(planning.writtenTransport(ahead, shards::get)).isEmpty();
    }

    private static ConfigMap shard(int n, String key, String part) {
        ConfigMap shard = configMap("s" + n, null);
        shard.getMetadata().setName("relay-config-" + n);
        shard.getData().put(key, part);
        return shard;
    }

    /** A main ConfigMap whose manifest lists the transport parts of {@code shards}, in order. */
    private static ConfigMap manifest(String resourceVersion, Map<String, ConfigMap> shards) {
        StringBuilder manifest = new StringBuilder();
        new java.util.TreeMap<>(shards)
                .forEach(
                        (name, shard) ->
                                shard.getData()
                                        .forEach(
                                                (key, part) ->
                                                        manifest.append(key)
                                                                .append(' ')
                                                                .append(
                                                                        name.substring(
                                                                                "relay-config-"
                                                                                        .length()))
                                                                .append(' ')
                                                                .append(
                                                                        RelayConfigLayout.sha256(
                                                                                part))
                                                                .append('\n')));
        ConfigMap main = configMap(resourceVersion, null);
        main.getData().put("transport.parts", manifest.toString());
        return main;
    }

    @Test
    void aWriteIsInFlightUntilTheCacheShowsItsHashAndAtMostTenSeconds() {
        ConfigMap before = configMap("1", "a.example smtp:[mx.a.example]:25\n");
        before.getMetadata().setAnnotations(Map.of(RelayObjects.CONFIG_HASH_ANNOTATION, "hash-1"));
        ConfigMap after = configMap("2", "b.example smtp:[mx.b.example]:25\n");
        after.getMetadata().setAnnotations(Map.of(RelayObjects.CONFIG_HASH_ANNOTATION, "hash-2"));

        assertThat(planning.writeInFlight(relay, before)).as("nothing published yet").isEmpty();
        publish("hash-2", a, b);
        assertThat(planning.writeInFlight(relay, before))
                .as("the cache still holds the ConfigMap written before")
                .contains(Planning.WRITE_IN_FLIGHT);
        assertThat(planning.writeInFlight(relay, null))
                .as("the cache holds no ConfigMap yet")
                .isPresent();
        assertThat(planning.writeInFlight(relay, after)).as("the cache caught up").isEmpty();

        nanoTime.addAndGet(Duration.ofSeconds(4).toNanos());
        assertThat(planning.writeInFlight(relay, before)).contains(Duration.ofSeconds(6));
        nanoTime.addAndGet(Duration.ofSeconds(6).toNanos());
        assertThat(planning.writeInFlight(relay, before))
                .as("a write the cache never shows is waited for at most 10 s")
                .isEmpty();

        publish((String) null, a, b);
        assertThat(planning.writeInFlight(relay, before))
                .as("the relay wrote nothing for its plan (e.g. its configuration was refused)")
                .isEmpty();

        publish("hash-3", a, b);
        MailRelay recreated = Resources.relay("mail", "relay");
        recreated.getMetadata().setUid("uid-2");
        assertThat(planning.writeInFlight(recreated, before))
                .as("a plan published for a MailRelay deleted since")
                .isEmpty();
    }

    @Test
    void offeredResolutionsArePlannedFromBeforeTheStatusCarriesThem() {
        List<String> relaysWoken = relaysWoken();
        publish(a, b);
        List<DomainResolution> checked = List.of(resolution("a.example"));
        assertThat(planning.planBehind(relay, a, null))
                .as("planned from what its status has")
                .isEmpty();

        planning.offer(a, checked);
        assertThat(relaysWoken).as("the relay plans again").containsExactly("relay");
        planning.offer(a, List.of(resolution("a.example")));
        assertThat(relaysWoken).as("the same offer again wakes nothing").hasSize(1);
        assertThat(planning.planBehind(relay, a, checked))
                .as("the relay has not planned the offered resolutions yet")
                .contains(Planning.WRITE_IN_FLIGHT);

        List<MailRoute> planned = planning.withPending(List.of(a, b));
        assertThat(planned.get(0).getStatus().resolutions).isEqualTo(checked);
        assertThat(a.getStatus()).as("the cached route is not changed").isNull();
        assertThat(planned.get(1)).isSameAs(b);
        woken.clear();
        planning.publish(
                relay, planner.plan(relay, planned, Resources.NO_INPUTS), planned, "hash-2");
        assertThat(woken)
                .as("the plan made from the offer wakes the route, same outcome or not")
                .containsExactly("a");
        assertThat(planning.planBehind(relay, a, List.of(resolution("a.example")))).isEmpty();

        // the route's status write brings the offered resolutions: nothing changes for the relay
        MailRoute written = route("a", "a.example", 1);
        written.setStatus(new MailRouteStatus());
        written.getStatus().observedGeneration = 1L;
        written.getStatus().resolutions = List.of(resolution("a.example"));
        assertThat(planning.offered(written)).isEqualTo(checked);
        woken.clear();
        publish("hash-2", written, b);
        assertThat(woken).as("equal resolutions, now from the status").isEmpty();
        assertThat(planning.writtenBefore(a, checked)).as("the first write").isFalse();
        assertThat(planning.writtenBefore(a, checked))
                .as("a reconcile from a cache that does not show the write yet")
                .isTrue();
        planning.offer(written, written.getStatus().resolutions);
        assertThat(planning.offered(written)).as("the status caught up").isNull();
        assertThat(planning.writtenBefore(a, checked)).as("nothing offered any more").isFalse();
        assertThat(planning.withPending(List.of(written, b))).containsExactly(written, b);
    }

    @Test
    void aRouteWaitsForThePlanOfItsOfferAtMostTenSecondsFromTheOffer() {
        publish(a, b);
        nanoTime.addAndGet(Duration.ofSeconds(30).toNanos());
        List<DomainResolution> checked = List.of(resolution("a.example"));
        planning.offer(a, checked);
        nanoTime.addAndGet(Duration.ofSeconds(4).toNanos());
        assertThat(planning.planBehind(relay, a, checked))
                .as("counted from the offer, not from the plan published 34 s ago")
                .contains(Duration.ofSeconds(6));
        nanoTime.addAndGet(Duration.ofSeconds(6).toNanos());
        assertThat(planning.planBehind(relay, a, checked))
                .as("a relay that does not plan again is waited for at most 10 s")
                .isEmpty();

        MailRoute edited = route("a", "a.example", 2);
        planning.offer(edited, List.of());
        assertThat(planning.planBehind(relay, edited, List.of()))
                .as("a new generation the relay has not planned yet")
                .contains(Planning.WRITE_IN_FLIGHT);
        assertThat(planning.withPending(List.of(a, b)).get(0))
                .as("an offer for another generation is not planned from")
                .isSameAs(a);
        assertThat(planning.planBehind(relay, route("a", "a.example", 0), List.of()))
                .as("a reconcile of a route older than the plan")
                .isEmpty();
    }

    @Test
    void aReCheckThatRendersTheSameNeitherPlansTheRelayNorWaitsForIt() {
        List<String> relaysWoken = relaysWoken();
        publish(a, b);
        DomainResolution resolved = new DomainResolution();
        resolved.domain = "a.example";
        resolved.reason = "Resolved";
        resolved.hardFailures = 0;
        resolved.checkedAt = "2026-11-30T06:00:00Z";
        planning.offer(a, List.of(resolved));
        assertThat(relaysWoken).isEmpty();
        assertThat(planning.planBehind(relay, a, List.of(resolved))).isEmpty();
    }

    @Test
    void theRelayPlansFromOneCopyPerOfferAndCachedRoute() {
        planning.offer(a, List.of(resolution("a.example")));
        MailRoute first = planning.withPending(List.of(a, b)).get(0);
        assertThat(first).isNotSameAs(a);
        assertThat(planning.withPending(List.of(a, b)).get(0))
                .as("neither the cached route nor the offer changed")
                .isSameAs(first);

        MailRoute labelled = route("a", "a.example", 1);
        labelled.getMetadata().setLabels(Map.of("team", "mail"));
        MailRoute second = planning.withPending(List.of(labelled, b)).get(0);
        assertThat(second)
                .as("a new cached object (labels changed)")
                .isNotSameAs(first)
                .extracting(r -> r.getMetadata().getLabels())
                .isEqualTo(Map.of("team", "mail"));

        List<DomainResolution> again = List.of(resolution("a.example"), resolution("b.example"));
        planning.offer(labelled, again);
        assertThat(planning.withPending(List.of(labelled, b)).get(0).getStatus().resolutions)
                .as("a new offer")
                .isEqualTo(again);
    }

    @Test
    void offersOfDeletedRoutesAreDroppedAfterTenSeconds() {
        planning.offer(a, List.of(resolution("a.example")));
        assertThat(planning.withPending(List.of(b))).containsExactly(b);
        assertThat(planning.offered(a)).as("the relay's cache may not show a yet").isNotNull();
        nanoTime.addAndGet(Planning.WRITE_IN_FLIGHT.toNanos() + 1);
        planning.withPending(List.of(b));
        assertThat(planning.offered(a)).isNull();
    }

    /** The names of the relays that offers wake, in order. */
    private List<String> relaysWoken() {
        List<String> relaysWoken = new ArrayList<>();
        planning.relayEvents()
                .setEventHandler(
                        (Event event) ->
                                relaysWoken.add(event.getRelatedCustomResourceID().getName()));
        planning.relayEvents().start();
        return relaysWoken;
    }

    /** A resolution that withholds the domain of a pinned route: it changes the relay's plan. */
    private static DomainResolution resolution(String domain) {
        DomainResolution resolution = new DomainResolution();
        resolution.domain = domain;
        resolution.reason = "NxDomain";
        resolution.message = domain + " does not exist";
        resolution.hardFailures = 3;
        return resolution;
    }

    private Set<ResourceKey> wake(ResourceKey relayKey, ConfigMap main, Set<ResourceKey> all) {
        return planning.routesToWake(relayKey, main, name -> null, () -> all);
    }

    private static ConfigMap configMap(String resourceVersion, String transport) {
        ConfigMap cm =
                new ConfigMapBuilder()
                        .withNewMetadata()
                        .withNamespace("mail")
                        .withName("relay-config")
                        .withResourceVersion(resourceVersion)
                        .withLabels(Map.of(RelayObjects.RELAY_LABEL, "relay"))
                        .endMetadata()
                        .build();
        cm.setData(new HashMap<>());
        if (transport != null) {
            cm.getData().put("transport", transport);
        }
        return cm;
    }

    @Test
    void onlyUpdatesThatCanChangeThePlanWakeTheRelay() {
        MailRoute before = route("a", "a.example", 1);
        MailRoute conditionsOnly = route("a", "a.example", 1);
        conditionsOnly.setStatus(new MailRouteStatus());
        conditionsOnly.getStatus().observedGeneration = 1L;
        before.setStatus(new MailRouteStatus());
        assertThat(MailRelayReconciler.changesPlan(conditionsOnly, before))
                .as("the route controller's own status write")
                .isFalse();

        MailRoute resolved = route("a", "a.example", 1);
        resolved.setStatus(new MailRouteStatus());
        DomainResolution resolution = new DomainResolution();
        resolution.domain = "a.example";
        resolved.getStatus().resolutions.add(resolution);
        assertThat(MailRelayReconciler.changesPlan(resolved, before))
                .as("a new DNS resolution")
                .isTrue();
        assertThat(
                        MailRelayReconciler.changesPlan(
                                resolved, before, List.of(resolved.getStatus().resolutions.get(0))))
                .as("the status write that brings what the relay already plans from (offered)")
                .isFalse();
        assertThat(MailRelayReconciler.changesPlan(resolved, before, List.of()))
                .as("resolutions other than the offered ones")
                .isTrue();
        assertThat(
                        MailRelayReconciler.changesPlan(
                                route("a", "a.example", 2),
                                before,
                                List.of(resolved.getStatus().resolutions.get(0))))
                .as("a spec change, whatever was offered")
                .isTrue();
        assertThat(MailRelayReconciler.changesPlan(route("a", "a.example", 2), before))
                .as("a spec change")
                .isTrue();
    }

    private void publish(MailRoute... routes) {
        publish("hash-1", routes);
    }

    private void publish(String configHash, MailRoute... routes) {
        List<MailRoute> all = List.of(routes);
        planning.publish(relay, planner.plan(relay, all, Resources.NO_INPUTS), all, configHash);
    }

    private static MailRoute route(String name, String domain, long generation) {
        MailRoute route = Resources.pinnedRoute("mail", name, "relay", "mx." + domain, domain);
        route.getMetadata().setGeneration(generation);
        route.getMetadata().setCreationTimestamp("2026-01-01T00:00:0" + name.length() + "Z");
        return route;
    }

    private static OperatorConfig config() {
        OperatorConfig.Validation validation =
                (OperatorConfig.Validation)
                        Proxy.newProxyInstance(
                                PlanningTest.class.getClassLoader(),
                                new Class<?>[] {OperatorConfig.Validation.class},
                                (proxy, method, args) ->
                                        method.getName().equals("hardFailureThreshold") ? 3 : null);
        return (OperatorConfig)
                Proxy.newProxyInstance(
                        PlanningTest.class.getClassLoader(),
                        new Class<?>[] {OperatorConfig.class},
                        (proxy, method, args) ->
                                method.getName().equals("validation") ? validation : null);
    }
}
