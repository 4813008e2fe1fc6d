package io.mailroute.chart;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mailroute.testing.ControlPlane;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Installs the Helm chart into the test API server and points the operator under test at it with
 * the chart's ServiceAccount token, so the operator runs with exactly the chart's RBAC and nothing
 * more.
 */
public class ChartInstallResource implements QuarkusTestResourceLifecycleManager {
    static final String NAMESPACE = "mailroute-system";
    static final String RELEASE = "mr";
    static final String SERVICE_ACCOUNT = "mr-mailroute-operator";

    private static Map<String, String> config;

    @Override
    public Map<String, String> start() {
        return serviceAccountConfig();
    }

    /**
     * Installs the chart once per test JVM and returns the client settings of its ServiceAccount.
     * Also the config overrides of {@link ChartInstallTest.ServiceAccountProfile}: a profile's
     * overrides outrank what other test classes' resources set (the admin token of
     * ControlPlaneResource otherwise stayed in force when another {@code @QuarkusTest} class ran
     * first, and the operator ran as admin).
     */
    static synchronized Map<String, String> serviceAccountConfig() {
        if (config != null) {
            return config;
        }
        ControlPlane controlPlane = ControlPlane.get();
        KubernetesClient admin = controlPlane.client();
        if (admin.serviceAccounts().inNamespace(NAMESPACE).withName(SERVICE_ACCOUNT).get()
                == null) {
            new Helm(ControlPlane.repoRoot().resolve("charts/mailroute-operator"))
                    .install()
                    .withName(RELEASE)
                    .withNamespace(NAMESPACE)
                    .createNamespace()
                    .withKubeConfig(Path.of(controlPlane.kubeconfig()))
                    .call();
        }
        admin.serviceAccounts()
                .inNamespace(NAMESPACE)
                .withName(SERVICE_ACCOUNT)
                .waitUntilCondition(sa -> sa != null, 30, TimeUnit.SECONDS);
        TokenRequest token =
                admin.serviceAccounts()
                        .inNamespace(NAMESPACE)
                        .withName(SERVICE_ACCOUNT)
                        .tokenRequest(
                                new TokenRequestBuilder()
                                        .withNewSpec()
                                        .withExpirationSeconds(3600L)
                                        .endSpec()
                                        .build());
        config =
                Map.of(
                        "quarkus.kubernetes-client.api-server-url", controlPlane.apiUrl(),
                        "quarkus.kubernetes-client.token", token.getStatus().getToken(),
                        "quarkus.kubernetes-client.ca-cert-file", controlPlane.caFile(),
                        "quarkus.kubernetes-client.trust-certs", "false");
        return config;
    }

    @Override
    public void stop() {
        // The release stays until the control plane stops with the test JVM.
    }
}
