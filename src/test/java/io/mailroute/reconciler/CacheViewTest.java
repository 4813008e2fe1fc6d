package io.mailroute.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.Cache;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.testing.Resources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A controller reads the other controller's informer through a view: the owner's cache, its events
 * mapped to this controller's primaries with the filters an informer of its own would apply, and no
 * reconcile before the owner's informer has listed.
 */
class CacheViewTest {
    private final Map<ResourceID, ConfigMap> owner = new ConcurrentHashMap<>();
    private final SharedCache<ConfigMap> shared = new SharedCache<>("ConfigMap");
    private final List<ResourceID> woken = new ArrayList<>();

    CacheViewTest() {
        shared.publish(
                id -> Optional.ofNullable(owner.get(id)), p -> owner.values().stream().filter(p));
    }

    /** Wakes the primary named by the "primary" label; updates only when "v" changed. */
    private CacheView<ConfigMap, MailRelay> view(Duration syncTimeout) {
        CacheView<ConfigMap, MailRelay> view =
                new CacheView<>(
                        ConfigMap.class,
                        "configs",
                        shared,
                        cm -> cm.getMetadata().getLabels().containsKey("primary"),
                        cm ->
                                Set.of(
                                        new ResourceID(
                                                cm.getMetadata().getLabels().get("primary"),
                                                cm.getMetadata().getNamespace())),
                        relay ->
                                Set.of(
                                        new ResourceID(
                                                relay.getMetadata().getName() + "-config",
                                                relay.getMetadata().getNamespace())),
                        (updated, old) -> !Objects.equals(updated.getData(), old.getData()),
                        syncTimeout);
        view.setEventHandler((Event e) -> woken.add(e.getRelatedCustomResourceID()));
        return view;
    }

    /** A view that takes every object and wakes the relay "relay" for each event. */
    private static CacheView<ConfigMap, MailRelay> everythingWakesTheRelay(
            SharedCache<ConfigMap> cache) {
        return new CacheView<>(
                ConfigMap.class,
                "everything",
                cache,
                cm -> true,
                cm -> Set.of(id("relay")),
                relay -> Set.of(),
                (a, b) -> true,
                Duration.ofSeconds(1));
    }

    private static ConfigMap configMap(String name, String primary, String v) {
        var builder = new ConfigMapBuilder().withNewMetadata().withNamespace("mail").withName(name);
        if (primary != null) {
            builder.addToLabels("primary", primary);
        }
        return builder.endMetadata().withData(Map.of("v", v)).build();
    }

    private void own(ConfigMap cm) {
        owner.put(ResourceID.fromResource(cm), cm);
    }

    @Test
    void eventsOfTheOwnersInformerWakeThePrimariesTheyMapTo() {
        view(Duration.ofSeconds(1));
        ConfigMap first = configMap("relay-config", "relay", "1");
        ConfigMap second = configMap("relay-config", "relay", "2");
        ConfigMap secondAgain = configMap("relay-config", "relay", "2");

        shared.added(first);
        shared.updated(first, second);
        shared.updated(second, secondAgain); // filtered: nothing this controller reads changed
        shared.deleted(second);

        assertThat(woken).containsExactly(id("relay"), id("relay"), id("relay"));
    }

    @Test
    void objectsOutsideTheViewsSelectionNeitherWakeNorRead() {
        CacheView<ConfigMap, MailRelay> view = view(Duration.ofSeconds(1));
        ConfigMap other = configMap("other", null, "1");
        own(other);

        shared.added(other);
        shared.updated(other, configMap("other", null, "2"));
        shared.deleted(other);

        assertThat(woken).isEmpty();
        assertThat(view.get(ResourceID.fromResource(other))).isEmpty();
        assertThat(view.list()).isEmpty();
    }

    @Test
    void readsGoToTheOwnersCache() {
        CacheView<ConfigMap, MailRelay> view = view(Duration.ofSeconds(1));
        ConfigMap config = configMap("relay-config", "relay", "1");
        own(config);
        own(configMap("unrelated", "other", "1"));
        MailRelay relay = Resources.relay("mail", "relay");

        assertThat(view.get(id("relay-config"))).containsSame(config);
        assertThat(view.list()).hasSize(2);
        assertThat(view.getSecondaryResources(relay)).containsExactly(config);
        assertThat(view.getSecondaryResource(relay)).containsSame(config);
    }

    @Test
    void startWaitsUntilTheOwnersInformerHasListed() throws InterruptedException {
        CacheView<ConfigMap, MailRelay> view = view(Duration.ofSeconds(30));
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread starter =
                new Thread(
                        () -> {
                            try {
                                view.start();
                                started.countDown();
                            } catch (Throwable e) {
                                failed.set(e);
                            }
                        });
        starter.start();

        assertThat(started.await(200, TimeUnit.MILLISECONDS))
                .as("started before the owner listed")
                .isFalse();
        assertThat(view.isRunning()).isFalse();
        shared.synced();
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        starter.join(5_000);
        assertThat(failed.get()).isNull();
        assertThat(view.isRunning()).isTrue();
    }

    @Test
    void startFailsWhenTheOwnersInformerNeverLists() {
        CacheView<ConfigMap, MailRelay> view = view(Duration.ofMillis(50));

        assertThatThrownBy(view::start)
                .isInstanceOf(OperatorException.class)
                .hasMessageContaining("ConfigMap informer has not listed");
        assertThat(view.isRunning()).isFalse();
    }

    @Test
    void eventsBeforeTheViewIsRegisteredAreLeftToThePrimaryList() {
        everythingWakesTheRelay(shared);

        shared.added(configMap("relay-config", "relay", "1")); // no handler yet: nothing thrown

        assertThat(woken).isEmpty();
    }

    @Test
    void aPrimaryFeedPassesItsControllersEventsOnAndSaysWhenItsInformerHasListed() {
        SharedCache<ConfigMap> feedCache = new SharedCache<>("ConfigMap");
        everythingWakesTheRelay(feedCache)
                .setEventHandler((Event e) -> woken.add(e.getRelatedCustomResourceID()));
        ConfigMap config = configMap("relay-config", "relay", "1");
        own(config);
        Cache<ConfigMap> primaries =
                new Cache<>() {
                    @Override
                    public Optional<ConfigMap> get(ResourceID id) {
                        return Optional.ofNullable(owner.get(id));
                    }

                    @Override
                    public Stream<ResourceID> keys() {
                        return owner.keySet().stream();
                    }

                    @Override
                    public Stream<ConfigMap> list(Predicate<ConfigMap> predicate) {
                        return owner.values().stream().filter(predicate);
                    }
                };
        PrimaryFeed<ConfigMap> feed = new PrimaryFeed<>("feed", feedCache, primaries);

        assertThatThrownBy(() -> feedCache.awaitSynced(Duration.ofMillis(1)))
                .as("listed before the feed started")
                .isInstanceOf(OperatorException.class);
        feed.start();
        feedCache.awaitSynced(Duration.ofMillis(1)); // listed: returns at once
        feed.onResourceCreated(config);
        feed.onResourceUpdated(configMap("relay-config", "relay", "2"), config);
        feed.onResourceDeleted(config);

        assertThat(woken).containsExactly(id("relay"), id("relay"), id("relay"));
        assertThat(feedCache.get(id("relay-config"))).containsSame(config);
    }

    @Test
    void readingBeforeTheOwnerPublishedItsCacheIsAnError() {
        SharedCache<ConfigMap> unpublished = new SharedCache<>("ConfigMap");

        assertThatThrownBy(() -> unpublished.get(id("x")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has not been published");
    }

    private static ResourceID id(String name) {
        return new ResourceID(name, "mail");
    }
}
