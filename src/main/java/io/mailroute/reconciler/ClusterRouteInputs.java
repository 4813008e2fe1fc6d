package io.mailroute.reconciler;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.mailroute.routing.RouteInputs;
import io.mailroute.routing.SecretInput;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@link RouteInputs} read from the API server for one plan. Each namespace and Secret is read at
 * most once per plan (a relay's routes share a few namespaces and credentials). Only credentials
 * Secrets are decoded (see {@link SecretInput#of}), in memory only, never logged.
 */
final class ClusterRouteInputs implements RouteInputs {
    private final KubernetesClient client;
    private final Map<String, Map<String, String>> labels = new HashMap<>();
    private final Map<String, Optional<SecretInput>> secrets = new HashMap<>();

    ClusterRouteInputs(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public Map<String, String> namespaceLabels(String namespace) {
        return labels.computeIfAbsent(namespace, this::readNamespaceLabels);
    }

    private Map<String, String> readNamespaceLabels(String namespace) {
        Namespace ns;
        try {
            ns = client.namespaces().withName(namespace).get();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 403) {
                throw e;
            }
            // watch-namespace mode: no cluster-wide read of namespaces, so a Selector matches no
            // labels
            return Map.of();
        }
        return ns == null || ns.getMetadata().getLabels() == null
                ? Map.of()
                : ns.getMetadata().getLabels();
    }

    @Override
    public Optional<SecretInput> secret(String namespace, String name) {
        return secrets.computeIfAbsent(namespace + "/" + name, key -> readSecret(namespace, name));
    }

    private Optional<SecretInput> readSecret(String namespace, String name) {
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        return secret == null ? Optional.empty() : Optional.of(SecretInput.of(secret));
    }
}
