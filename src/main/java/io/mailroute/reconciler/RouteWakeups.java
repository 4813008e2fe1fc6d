package io.mailroute.reconciler;

import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.routing.ResourceKey;
import java.util.Collection;
import java.util.Set;

/**
 * Wakes MailRoute reconciles for state the API server does not hold: a relay plan published by the
 * MailRelay controller ("relay-plans": only the routes whose outcome changed) and finished
 * background DNS checks ("dns-checks"). Outside state reaches the reconciler through event sources,
 * never through waiting inside it.
 */
final class RouteWakeups extends AbstractEventSource<ResourceKey, MailRoute> {

    RouteWakeups(String name) {
        super(ResourceKey.class, name);
    }

    void wake(Collection<ResourceKey> routes) {
        if (!isRunning() || getEventHandler() == null) {
            return;
        }
        for (ResourceKey route : routes) {
            getEventHandler()
                    .handleEvent(new Event(new ResourceID(route.name(), route.namespace())));
        }
    }

    @Override
    public Set<ResourceKey> getSecondaryResources(MailRoute route) {
        return Set.of();
    }
}
