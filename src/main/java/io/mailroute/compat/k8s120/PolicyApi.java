package io.mailroute.compat.k8s120;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Kubernetes 1.20 compatibility (see package-info). Which PodDisruptionBudget API the cluster
 * serves, found by API discovery once: {@code policy/v1} (Kubernetes 1.21+, the one every supported
 * cluster has) or only {@code policy/v1beta1} (1.20, the test control plane).
 */
public final class PolicyApi {
    private static final AtomicReference<Boolean> V1 = new AtomicReference<>();

    private PolicyApi() {}

    public static boolean servesV1(KubernetesClient client) {
        Boolean known = V1.get();
        if (known == null) {
            known =
                    client.supports(
                            io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class);
            V1.set(known);
        }
        return known;
    }
}
