package io.mailroute.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.EventHandler;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.PrimaryToSecondaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.SecondaryToPrimaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The other controller's informer, as an event source of this one ({@link SharedCache}): it reads
 * that informer's cache and maps its events to this controller's primaries, as an {@code
 * InformerEventSource} of its own would (an added or deleted object is always propagated, an update
 * when {@code onUpdate} accepts it, each to the primaries of the new object), without a list, a
 * watch or a copy of the objects of its own.
 *
 * @param <R> the shared kind
 * @param <P> this controller's primary
 */
final class CacheView<R extends HasMetadata, P extends HasMetadata>
        extends AbstractEventSource<R, P> {
    private final SharedCache<R> shared;
    private final Predicate<R> selects;
    private final SecondaryToPrimaryMapper<R> toPrimaries;
    private final PrimaryToSecondaryMapper<P> toSecondaries;
    private final OnUpdateFilter<R> onUpdate;
    private final Duration syncTimeout;

    /**
     * @param selects the objects this controller cares about (its informer's label selector)
     * @param toPrimaries the primaries an event of an object wakes
     * @param toSecondaries the objects a primary refers to ({@link #getSecondaryResources})
     * @param onUpdate whether an update wakes them
     * @param syncTimeout how long {@link #start} waits for the owner's informer to list
     */
    CacheView(
            Class<R> type,
            String name,
            SharedCache<R> shared,
            Predicate<R> selects,
            SecondaryToPrimaryMapper<R> toPrimaries,
            PrimaryToSecondaryMapper<P> toSecondaries,
            OnUpdateFilter<R> onUpdate,
            Duration syncTimeout) {
        super(type, name);
        this.shared = shared;
        this.selects = selects;
        this.toPrimaries = toPrimaries;
        this.toSecondaries = toSecondaries;
        this.onUpdate = onUpdate;
        this.syncTimeout = syncTimeout;
        shared.register(this);
    }

    /** Returns when the owner's informer has listed, so that no reconcile reads an empty cache. */
    @Override
    public void start() {
        shared.awaitSynced(syncTimeout);
        super.start();
    }

    Optional<R> get(ResourceID id) {
        return shared.get(id).filter(selects);
    }

    Stream<R> list() {
        return shared.list(selects);
    }

    @Override
    public Set<R> getSecondaryResources(P primary) {
        return toSecondaries.toSecondaryResourceIDs(primary).stream()
                .map(this::get)
                .flatMap(Optional::stream)
                .collect(Collectors.toSet());
    }

    void added(R resource) {
        if (selects.test(resource)) {
            propagate(resource);
        }
    }

    void updated(R old, R resource) {
        if (selects.test(resource) && onUpdate.accept(resource, old)) {
            propagate(resource);
        }
    }

    void deleted(R resource) {
        if (selects.test(resource)) {
            propagate(resource);
        }
    }

    /**
     * Before this controller's event processing starts, JOSDK's event handler only marks the
     * events; it dispatches them when it starts, as it does for its own informers' first list.
     */
    private void propagate(R resource) {
        EventHandler handler = getEventHandler();
        if (handler == null) {
            return; // not registered yet: the primary informer's list reconciles every primary
        }
        for (ResourceID primary : toPrimaries.toPrimaryResourceIDs(resource)) {
            handler.handleEvent(new Event(primary));
        }
    }
}
