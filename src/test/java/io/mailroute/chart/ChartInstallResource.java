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
 * Installs the Helm chart into the test API server and points the operator under test at it with the chart's
 * ServiceAccount token, so the operator runs with exactly the chart's RBAC and nothing more.
 */
public class ChartInstallResource implements QuarkusTestResourceLifecycleManager {
    static final String NAMESPACE = "mailroute-system";
    static final String RELEASE = "mr";
    static final String SERVICE_ACCOUNT = "mr-mailroute-operator";

    @Override
    public Map<String, String> start() {
        ControlPlane controlPlane = ControlPlane.get();
        KubernetesClient admin = controlPlane.client();
        if (admin.serviceAccounts().inNamespace(NAMESPACE).withName(SERVICE_ACCOUNT).get() == null) {
            new Helm(ControlPlane.repoRoot().resolve("charts/mailroute-operator")).install()
                    .withName(RELEASE).withNamespace(NAMESPACE).createNamespace()
                    .withKubeConfig(Path.of(controlPlane.kubeconfig()))
                    .call();
        }
        admin.serviceAccounts().inNamespace(NAMESPACE).withName(SERVICE_ACCOUNT)
                .waitUntilCondition(sa -> sa != null, 30, TimeUnit.SECONDS);
        TokenRequest token = admin.serviceAccounts().inNamespace(NAMESPACE).withName(SERVICE_ACCOUNT)
                .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build());
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", controlPlane.apiUrl(),
                "quarkus.kubernetes-client.token", token.getStatus().getToken(),
                "quarkus.kubernetes-client.ca-cert-file", controlPlane.caFile(),
                "quarkus.kubernetes-client.trust-certs", "false");
    }

    @Override
    public void stop() {
        // The release stays until the control plane stops with the test JVM.
    }
}
