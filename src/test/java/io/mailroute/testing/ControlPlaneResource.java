package io.mailroute.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points the operator under test (a {@code @QuarkusTest}) at the real {@link ControlPlane}. */
public class ControlPlaneResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        ControlPlane controlPlane = ControlPlane.get();
        return Map.of(
                "quarkus.kubernetes-client.api-server-url", controlPlane.apiUrl(),
                "quarkus.kubernetes-client.token", controlPlane.token(),
                "quarkus.kubernetes-client.ca-cert-file", controlPlane.caFile(),
                "quarkus.kubernetes-client.trust-certs", "false");
    }

    @Override
    public void stop() {
        // The control plane lives for the whole test JVM; ControlPlane stops it at exit if it
        // started it.
    }
}
