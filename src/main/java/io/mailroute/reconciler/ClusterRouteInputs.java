package io.mailroute.reconciler;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.mailroute.routing.RouteInputs;
import io.mailroute.routing.SecretValues;

import java.util.Map;
import java.util.Optional;

/** {@link RouteInputs} read from the API server. Secret values are decoded in memory only, never logged. */
final class ClusterRouteInputs implements RouteInputs {
    private final KubernetesClient client;

    ClusterRouteInputs(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public Map<String, String> namespaceLabels(String namespace) {
        Namespace ns;
        try {
            ns = client.namespaces().withName(namespace).get();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 403) {
                throw e;
            }
            // watch-namespace mode: no cluster-wide read of namespaces, so a Selector matches no labels
            return Map.of();
        }
        return ns == null || ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels();
    }

    @Override
    public Optional<Map<String, String>> secretData(String namespace, String name) {
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        if (secret == null) {
            return Optional.empty();
        }
        return Optional.of(SecretValues.decode(secret));
    }
}
