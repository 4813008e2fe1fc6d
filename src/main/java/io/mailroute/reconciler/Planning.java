package io.mailroute.reconciler;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.postfix.PostfixRenderer;
import io.mailroute.routing.RelayPlan;
import io.mailroute.routing.RelayPlanner;
import io.mailroute.routing.RouteTranslator;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Collection;
import java.util.List;

/** The one place both reconcilers plan a relay, so route status and relay configuration always agree. */
@ApplicationScoped
public class Planning {
    private final RelayPlanner planner = new RelayPlanner(new PostfixRenderer(),
            new RouteTranslator((domain, port) -> List.of()));

    public RelayPlan plan(MailRelay relay, Collection<MailRoute> routes, KubernetesClient client) {
        return planner.plan(relay, routes, new ClusterRouteInputs(client));
    }
}
