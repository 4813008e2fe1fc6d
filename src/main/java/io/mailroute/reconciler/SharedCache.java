package io.mailroute.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * One informer's cache and events, read by both controllers. The MailRoute and MailRelay
 * controllers each need the MailRoutes, the MailRelays and the relays' ConfigMaps; with an informer
 * of each in each controller, three of a start's twelve lists and watches (and their TLS
 * connections, on the operator's two cores and the API server's) were repeats, and every MailRoute
 * was held in memory twice (docs/benchmarks.md, "One informer per kind"). Now the controller that
 * owns a kind (its primary, or the ConfigMaps its dependents write) publishes its informer here
 * ({@link #publish}, {@link PrimaryFeed}, {@link SharedInformerEventSource}), and the other reads
 * the cache and maps the events to its own primaries through a {@link CacheView}.
 *
 * <p>A view starts only when the owner's informer has listed ({@link #awaitSynced}), so that the
 * other controller never reconciles against an empty cache. The owner's informer starts before
 * anything waits for it: JOSDK starts a controller's primary informer before its other event
 * sources, and no owner waits for a view.
 *
 * @param <R> the kind whose informer is shared
 */
final class SharedCache<R extends HasMetadata> {
    private final String kind;
    private final CountDownLatch synced = new CountDownLatch(1);
    private final List<CacheView<R, ?>> views = new CopyOnWriteArrayList<>();
    private volatile Function<ResourceID, Optional<R>> get;
    private volatile Function<Predicate<R>, Stream<R>> list;

    SharedCache(String kind) {
        this.kind = kind;
    }

    /** The owner's cache: called from the owner's {@code prepareEventSources}, before any read. */
    void publish(Function<ResourceID, Optional<R>> get, Function<Predicate<R>, Stream<R>> list) {
        this.get = get;
        this.list = list;
    }

    /** The owner's informer has listed: its cache holds every object it will be asked for. */
    void synced() {
        synced.countDown();
    }

    /**
     * Waits until the owner's informer has listed. Fails after {@code timeout} (JOSDK's cache sync
     * timeout), as an informer that cannot list fails the controller's start.
     */
    void awaitSynced(Duration timeout) {
        try {
            if (!synced.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new OperatorException(
                        "the shared " + kind + " informer has not listed after " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OperatorException("interrupted while waiting for the " + kind + " informer");
        }
    }

    Optional<R> get(ResourceID id) {
        requirePublished();
        return get.apply(id);
    }

    Stream<R> list(Predicate<R> predicate) {
        requirePublished();
        return list.apply(predicate);
    }

    private void requirePublished() {
        if (get == null) {
            throw new IllegalStateException("the " + kind + " cache has not been published yet");
        }
    }

    void register(CacheView<R, ?> view) {
        views.add(view);
    }

    /** An event of the owner's informer, after its cache has it: passed to every view. */
    void added(R resource) {
        for (CacheView<R, ?> view : views) {
            view.added(resource);
        }
    }

    void updated(R old, R resource) {
        for (CacheView<R, ?> view : views) {
            view.updated(old, resource);
        }
    }

    void deleted(R resource) {
        for (CacheView<R, ?> view : views) {
            view.deleted(resource);
        }
    }
}
