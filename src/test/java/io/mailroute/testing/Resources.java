package io.mailroute.testing;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.mailroute.api.v1alpha1.AllowedRoutes;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRelaySpec;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.MailRouteSpec;
import io.mailroute.api.v1alpha1.NextHopHost;
import io.mailroute.api.v1alpha1.RelayRef;
import io.mailroute.api.v1alpha1.RouteTarget;
import io.mailroute.routing.RouteInputs;
import io.mailroute.routing.SecretInput;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builders for the custom resources used across tests. */
public final class Resources {
    /** Planning inputs of a cluster without namespace labels or Secrets. */
    public static final RouteInputs NO_INPUTS =
            new RouteInputs() {
                @Override
                public Map<String, String> namespaceLabels(String namespace) {
                    return Map.of();
                }

                @Override
                public Optional<SecretInput> secret(String namespace, String name) {
                    return Optional.empty();
                }
            };

    private Resources() {}

    public static MailRelay relay(String namespace, String name) {
        MailRelay relay = new MailRelay();
        relay.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
        MailRelaySpec spec = new MailRelaySpec();
        spec.hostname = "relay.example.test";
        spec.acceptFrom = List.of("10.0.0.0/8");
        relay.setSpec(spec);
        return relay;
    }

    public static MailRelay relayAllowingAll(String namespace, String name) {
        MailRelay relay = relay(namespace, name);
        relay.getSpec().allowedRoutes = new AllowedRoutes();
        relay.getSpec().allowedRoutes.from = AllowedRoutes.From.All;
        return relay;
    }

    /** A route pinning domains to one host in brackets (lookupMx false), port 25. */
    public static MailRoute pinnedRoute(
            String namespace, String name, String relay, String host, String... domains) {
        MailRoute route = new MailRoute();
        route.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
        MailRouteSpec spec = new MailRouteSpec();
        spec.relayRefs = List.of(new RelayRef(relay, null));
        spec.domains = List.of(domains);
        spec.target = new RouteTarget();
        spec.target.hosts = List.of(new NextHopHost(host, 25, false));
        route.setSpec(spec);
        return route;
    }
}
