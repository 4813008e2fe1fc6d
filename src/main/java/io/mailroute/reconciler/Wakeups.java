package io.mailroute.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.mailroute.routing.ResourceKey;
import java.util.Collection;
import java.util.Set;

/**
 * Wakes reconciles for state the API server does not hold. MailRoutes: a relay plan published by
 * the MailRelay controller ("relay-plans": only the routes whose outcome changed), finished
 * background DNS checks ("dns-checks") and delivery reports ("delivery"). MailRelays: DNS
 * resolutions a route's status does not carry yet ("route-resolutions", {@link Planning#offer}).
 * Outside state reaches the reconciler through event sources, never through waiting inside it.
 *
 * @param <P> the primary resource whose reconciles are woken
 */
final class Wakeups<P extends HasMetadata> extends AbstractEventSource<ResourceKey, P> {

    Wakeups(String name) {
        super(ResourceKey.class, name);
    }

    void wake(Collection<ResourceKey> primaries) {
        if (!isRunning() || getEventHandler() == null) {
            return;
        }
        for (ResourceKey primary : primaries) {
            getEventHandler()
                    .handleEvent(new Event(new ResourceID(primary.name(), primary.namespace())));
        }
    }

    /**
     * {@link #wake(Collection)} for one primary, without a list: every finished DNS check wakes its
     * route.
     */
    void wake(ResourceKey primary) {
        if (!isRunning() || getEventHandler() == null) {
            return;
        }
        getEventHandler()
                .handleEvent(new Event(new ResourceID(primary.name(), primary.namespace())));
    }

    @Override
    public Set<ResourceKey> getSecondaryResources(P primary) {
        return Set.of();
    }
}
