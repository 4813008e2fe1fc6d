package io.mailroute.reconciler;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.postfix.PostfixRenderer;
import io.mailroute.routing.RelayPlan;
import io.mailroute.routing.RelayPlanner;
import io.mailroute.routing.RouteTranslator;
import io.mailroute.validation.RenderPolicy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Collection;

/** The one place both reconcilers plan a relay, so route status and relay configuration always agree. */
@ApplicationScoped
public class Planning {
    private final RelayPlanner planner;

    @Inject
    public Planning(OperatorConfig config) {
        this.planner = new RelayPlanner(new PostfixRenderer(),
                new RouteTranslator(new RenderPolicy(config.validation().hardFailureThreshold())));
    }

    public RelayPlan plan(MailRelay relay, Collection<MailRoute> routes, KubernetesClient client) {
        return planner.plan(relay, routes, new ClusterRouteInputs(client));
    }
}
