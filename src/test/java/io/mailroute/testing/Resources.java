package io.mailroute.testing;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mailroute.api.v1alpha1.AllowedRoutes;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRelaySpec;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.MailRouteSpec;
import io.mailroute.api.v1alpha1.NextHopHost;
import io.mailroute.api.v1alpha1.RelayRef;
import io.mailroute.api.v1alpha1.RouteTarget;
import io.mailroute.dependent.RelayObjects;
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

    /**
     * Stands in for the StatefulSet controller and the kubelet in tests on the API server alone:
     * the relay's default ServiceAccount and a pod {@code relay-0} with the relay's pod labels,
     * marked Running and Ready at {@code address}, its status port {@code statusPort} (where a test
     * runs the relay entrypoint).
     */
    public static void runningRelayPod(
            KubernetesClient client, MailRelay relay, String address, int statusPort) {
        String namespace = relay.getMetadata().getNamespace();
        client.resource(
                        new ServiceAccountBuilder()
                                .withNewMetadata()
                                .withName("default")
                                .withNamespace(namespace)
                                .endMetadata()
                                .build())
                .create();
        Pod pod =
                client.resource(
                                new PodBuilder()
                                        .withNewMetadata()
                                        .withName("relay-0")
                                        .withNamespace(namespace)
                                        .withLabels(RelayObjects.selectorLabels(relay))
                                        .endMetadata()
                                        .withNewSpec()
                                        .withAutomountServiceAccountToken(false)
                                        .addNewContainer()
                                        .withName("postfix")
                                        .withImage("mailroute/postfix-relay:0.1.0")
                                        .addNewPort()
                                        .withName("status")
                                        .withContainerPort(statusPort)
                                        .endPort()
                                        .endContainer()
                                        .endSpec()
                                        .build())
                        .create();
        pod.setStatus(
                new PodStatusBuilder()
                        .withPhase("Running")
                        .withPodIP(address)
                        .withConditions(
                                new PodConditionBuilder()
                                        .withType("Ready")
                                        .withStatus("True")
                                        .build())
                        .build());
        client.resource(pod).updateStatus();
    }
}
