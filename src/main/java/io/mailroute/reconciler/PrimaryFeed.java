package io.mailroute.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.Cache;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import java.util.Set;

/**
 * Shares a controller's primary informer ({@link SharedCache}): JOSDK tells every event source of a
 * controller that is {@link ResourceEventAware} each event of its primary informer, after the cache
 * has it, whatever the controller's filters. It wakes nothing in its own controller.
 *
 * <p>JOSDK starts a controller's other event sources only once its primary informer has listed, so
 * {@link #start} is when the cache is complete.
 *
 * @param <P> the controller's primary
 */
final class PrimaryFeed<P extends HasMetadata> extends AbstractEventSource<Void, P>
        implements ResourceEventAware<P> {
    private final SharedCache<P> shared;

    PrimaryFeed(String name, SharedCache<P> shared, Cache<P> primaries) {
        super(Void.class, name);
        this.shared = shared;
        shared.publish(primaries::get, primaries::list);
    }

    @Override
    public void start() {
        super.start();
        shared.synced();
    }

    @Override
    public void onResourceCreated(P resource) {
        shared.added(resource);
    }

    @Override
    public void onResourceUpdated(P newResource, P oldResource) {
        shared.updated(oldResource, newResource);
    }

    @Override
    public void onResourceDeleted(P resource) {
        shared.deleted(resource);
    }

    @Override
    public Set<Void> getSecondaryResources(P primary) {
        return Set.of();
    }
}
