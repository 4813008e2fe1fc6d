package io.mailroute.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/**
 * An informer of a controller's secondaries that the other controller reads too ({@link
 * SharedCache}): JOSDK's own {@link InformerEventSource}, which also passes every event to the
 * shared cache's views, its controller's own writes included (those it does not propagate to its
 * own primaries; the other controller is waiting for exactly those).
 *
 * @param <R> the shared kind
 * @param <P> the owning controller's primary
 */
final class SharedInformerEventSource<R extends HasMetadata, P extends HasMetadata>
        extends InformerEventSource<R, P> {
    private final SharedCache<R> shared;

    SharedInformerEventSource(
            InformerEventSourceConfiguration<R> configuration,
            EventSourceContext<P> context,
            SharedCache<R> shared) {
        super(configuration, context);
        this.shared = shared;
        shared.publish(this::get, this::list);
    }

    /** Returns once the informer has listed (JOSDK waits for it in {@code super.start()}). */
    @Override
    public synchronized void start() {
        super.start();
        shared.synced();
    }

    @Override
    public void onAdd(R resource) {
        super.onAdd(resource);
        shared.added(resource);
    }

    @Override
    public void onUpdate(R old, R resource) {
        super.onUpdate(old, resource);
        shared.updated(old, resource);
    }

    @Override
    public void onDelete(R resource, boolean deletedFinalStateUnknown) {
        super.onDelete(resource, deletedFinalStateUnknown);
        shared.deleted(resource);
    }
}
