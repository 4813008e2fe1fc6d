package io.mailroute.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.routing.RelayPlanner;
import io.mailroute.testing.ControlPlane;
import io.mailroute.testing.ControlPlaneResource;
import io.mailroute.testing.KnotResource;
import io.mailroute.testing.OperatorAssertions;
import io.mailroute.testing.RealComponents;
import io.mailroute.testing.Resources;
import io.mailroute.testing.TestNamespace;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fault: the kube-apiserver is restarted (etcd keeps the data) while the operator runs. Its
 * informers must reconnect on their own: a change made after the restart is rendered, and undoing
 * it returns the relay's ConfigMap to the same bytes as before.
 */
@QuarkusTest
@WithTestResource(ControlPlaneResource.class)
@WithTestResource(KnotResource.class)
@RealComponents
class ApiServerRestartOperatorTest {
    static {
        OperatorAssertions.waitPatiently(Duration.ofSeconds(90));
    }

    @Inject KubernetesClient client;

    @Test
    void afterAnApiServerRestartTheOperatorConvergesToTheSameBytes() throws Exception {
        try (TestNamespace ns = TestNamespace.create(client)) {
            client.resource(Resources.relay(ns.name(), "relay")).create();
            client.resource(
                            Resources.pinnedRoute(
                                    ns.name(),
                                    "outlook",
                                    "relay",
                                    "outlook-com.olc.protection.outlook.com",
                                    "outlook.com"))
                    .create();
            await().untilAsserted(
                            () ->
                                    OperatorAssertions.assertCondition(
                                            route(ns, "outlook").getStatus().conditions,
                                            "Ready",
                                            "True",
                                            "Ready"));
            Map<String, String> before = configMap(ns).getData();

            Duration down = ControlPlane.get().restartApiServer();
            System.out.printf(
                    "kube-apiserver restart: down and back to /readyz in %d ms%n", down.toMillis());

            // a change made after the restart reaches the relay: the operator's watches are live
            // again
            long t0 = System.nanoTime();
            client.resource(
                            Resources.pinnedRoute(
                                    ns.name(),
                                    "hotmail",
                                    "relay",
                                    "hotmail-com.olc.protection.outlook.com",
                                    "hotmail.com"))
                    .create();
            await().untilAsserted(
                            () ->
                                    assertThat(
                                                    RelayPlanner.parseTransport(
                                                            configMap(ns)
                                                                    .getData()
                                                                    .get("transport")))
                                            .containsKey("hotmail.com"));
            System.out.printf(
                    "first change after the restart rendered in %d ms%n",
                    (System.nanoTime() - t0) / 1_000_000);

            client.resources(MailRoute.class).inNamespace(ns.name()).withName("hotmail").delete();
            await().untilAsserted(() -> assertThat(configMap(ns).getData()).isEqualTo(before));
            await().untilAsserted(
                            () ->
                                    OperatorAssertions.assertCondition(
                                            route(ns, "outlook").getStatus().conditions,
                                            "Ready",
                                            "True",
                                            "Ready"));
            assertThat(client.resources(MailRoute.class).inNamespace(ns.name()).list().getItems())
                    .extracting(r -> r.getMetadata().getName())
                    .isEqualTo(List.of("outlook"));
        }
    }

    private MailRoute route(TestNamespace ns, String name) {
        return client.resources(MailRoute.class).inNamespace(ns.name()).withName(name).get();
    }

    private ConfigMap configMap(TestNamespace ns) {
        return client.configMaps().inNamespace(ns.name()).withName("relay-config").get();
    }
}
