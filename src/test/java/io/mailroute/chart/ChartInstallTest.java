package io.mailroute.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.routing.RelayPlanner;
import io.mailroute.testing.ControlPlane;
import io.mailroute.testing.KnotResource;
import io.mailroute.testing.OperatorAssertions;
import io.mailroute.testing.RealComponents;
import io.mailroute.testing.Resources;
import io.mailroute.testing.TestNamespace;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code helm install} into the real API server, then the operator runs with the chart's
 * ServiceAccount token only: it must reconcile a MailRoute. RBAC that is too narrow (a missing verb
 * or resource) makes this test fail.
 */
@QuarkusTest
@TestProfile(ChartInstallTest.ServiceAccountProfile.class)
@WithTestResource(ChartInstallResource.class)
@WithTestResource(KnotResource.class)
@RealComponents
class ChartInstallTest {
    static {
        OperatorAssertions.waitPatiently(Duration.ofSeconds(40));
    }

    /** The operator's own client: authenticated as the chart's ServiceAccount. */
    @Inject KubernetesClient operatorClient;

    /**
     * Its own application start, with the ServiceAccount's client settings above those of other
     * test classes.
     */
    public static class ServiceAccountProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return ChartInstallResource.serviceAccountConfig();
        }
    }

    @Test
    void operatorWithTheChartsServiceAccountReconcilesARoute() {
        KubernetesClient admin = ControlPlane.get().client();
        String token = operatorClient.getConfiguration().getOauthToken();
        assertThat(token)
                .as("the operator's client does not use the admin's token")
                .isNotEqualTo(admin.getConfiguration().getOauthToken());
        assertThat(new String(java.util.Base64.getUrlDecoder().decode(token.split("\\.")[1])))
                .as("the operator's client is the chart's ServiceAccount")
                .contains(
                        "\"sub\":\"system:serviceaccount:"
                                + ChartInstallResource.NAMESPACE
                                + ":"
                                + ChartInstallResource.SERVICE_ACCOUNT
                                + "\"");
        assertThat(
                        admin.apps()
                                .deployments()
                                .inNamespace(ChartInstallResource.NAMESPACE)
                                .withName("mr-mailroute-operator")
                                .get())
                .as("the chart's Deployment")
                .isNotNull();
        assertThatThrownBy(() -> operatorClient.namespaces().withName("default").delete())
                .as("the operator really runs as the ServiceAccount, not as admin")
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("forbidden");

        assertThatThrownBy(
                        () ->
                                operatorClient
                                        .configMaps()
                                        .inNamespace("default")
                                        .withName("kube-root-ca.crt")
                                        .delete())
                .as("the operator cannot delete ConfigMaps it did not create")
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("forbidden");

        assertThatThrownBy(() -> operatorClient.secrets().inNamespace("default").list())
                .as("the operator cannot list Secrets (it reads the few it needs by name)")
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("forbidden");
        assertThatThrownBy(() -> operatorClient.secrets().inAnyNamespace().list())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("forbidden");

        try (TestNamespace ns = TestNamespace.create(admin)) {
            admin.resource(Resources.relay(ns.name(), "relay")).create();
            admin.resource(
                            new io.fabric8.kubernetes.api.model.SecretBuilder()
                                    .withNewMetadata()
                                    .withName("auth")
                                    .withNamespace(ns.name())
                                    .addToLabels("mailroute.io/credentials", "true")
                                    .endMetadata()
                                    .withType("kubernetes.io/basic-auth")
                                    .withStringData(
                                            java.util.Map.of(
                                                    "username", "u", "password", "chart-pw"))
                                    .build())
                    .create();
            MailRoute smarthost =
                    Resources.pinnedRoute(
                            ns.name(), "smarthost", "relay", "unused.example", "example.org");
            smarthost.getSpec().target = new io.mailroute.api.v1alpha1.RouteTarget();
            smarthost.getSpec().target.relay =
                    new io.mailroute.api.v1alpha1.SmarthostTarget("smtp.example.net", 587);
            smarthost.getSpec().target.relay.authSecretRef =
                    new io.mailroute.api.v1alpha1.SecretKeys("auth");
            smarthost.getSpec().tls = io.mailroute.api.v1alpha1.TlsPolicy.VERIFY;
            admin.resource(smarthost).create();
            admin.resource(
                            Resources.pinnedRoute(
                                    ns.name(),
                                    "outlook",
                                    "relay",
                                    "outlook-com.olc.protection.outlook.com",
                                    "outlook.com"))
                    .create();
            await().untilAsserted(
                            () -> {
                                MailRoute route =
                                        admin.resources(MailRoute.class)
                                                .inNamespace(ns.name())
                                                .withName("outlook")
                                                .get();
                                OperatorAssertions.assertCondition(
                                        route.getStatus().conditions, "Ready", "True", "Ready");
                                OperatorAssertions.assertCondition(
                                        route.getStatus().conditions,
                                        "Resolved",
                                        "True",
                                        "Resolved");
                                assertThat(
                                                RelayPlanner.parseTransport(
                                                        admin.configMaps()
                                                                .inNamespace(ns.name())
                                                                .withName("relay-config")
                                                                .get()
                                                                .getData()
                                                                .get("transport")))
                                        .containsEntry(
                                                "outlook.com",
                                                "smtp:[outlook-com.olc.protection.outlook.com]:25");
                                assertThat(
                                                admin.apps()
                                                        .statefulSets()
                                                        .inNamespace(ns.name())
                                                        .withName("relay")
                                                        .get())
                                        .isNotNull();
                                assertThat(
                                                admin.services()
                                                        .inNamespace(ns.name())
                                                        .withName("relay")
                                                        .get())
                                        .isNotNull();
                                OperatorAssertions.assertCondition(
                                        admin.resources(MailRoute.class)
                                                .inNamespace(ns.name())
                                                .withName("smarthost")
                                                .get()
                                                .getStatus()
                                                .conditions,
                                        "Ready",
                                        "True",
                                        "Ready");
                                assertThat(
                                                admin.secrets()
                                                        .inNamespace(ns.name())
                                                        .withName("relay-sasl")
                                                        .get())
                                        .isNotNull();
                            });
        }
    }
}
