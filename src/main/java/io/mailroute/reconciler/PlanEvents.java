package io.mailroute.reconciler;

import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.routing.RelayPlan;
import io.mailroute.routing.ResourceKey;

import java.util.Collection;
import java.util.Set;

/**
 * Tells the MailRoute controller which routes to look at again after the MailRelay controller published a new plan:
 * only those whose outcome on that relay changed. The route controller never plans a relay itself (that made every
 * route reconcile cost as much as planning the whole relay); it reads the published plan.
 */
final class PlanEvents extends AbstractEventSource<RelayPlan, MailRoute> {

    PlanEvents() {
        super(RelayPlan.class, "relay-plans");
    }

    void routesChanged(Collection<ResourceKey> routes) {
        if (!isRunning() || getEventHandler() == null) {
            return;
        }
        for (ResourceKey route : routes) {
            getEventHandler().handleEvent(new Event(new ResourceID(route.name(), route.namespace())));
        }
    }

    @Override
    public Set<RelayPlan> getSecondaryResources(MailRoute route) {
        return Set.of();
    }
}
