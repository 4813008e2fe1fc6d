package io.mailroute.testing;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.Map;
import java.util.UUID;

/** A fresh namespace for one test, deleted afterwards. */
public record TestNamespace(String name, KubernetesClient client) implements AutoCloseable {

    public static TestNamespace create(KubernetesClient client) {
        return create(client, Map.of());
    }

    public static TestNamespace create(KubernetesClient client, Map<String, String> labels) {
        String name = "test-" + UUID.randomUUID().toString().substring(0, 8);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels)
                .endMetadata().build()).create();
        return new TestNamespace(name, client);
    }

    @Override
    public void close() {
        client.namespaces().withName(name).delete();
    }
}
