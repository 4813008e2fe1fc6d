package io.mailroute.testing;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRoute;
import java.util.Map;
import java.util.UUID;

/** A fresh namespace for one test, deleted afterwards. */
public record TestNamespace(String name, KubernetesClient client) implements AutoCloseable {

    public static TestNamespace create(KubernetesClient client) {
        return create(client, Map.of());
    }

    public static TestNamespace create(KubernetesClient client, Map<String, String> labels) {
        String name = "test-" + UUID.randomUUID().toString().substring(0, 8);
        client.namespaces()
                .resource(
                        new NamespaceBuilder()
                                .withNewMetadata()
                                .withName(name)
                                .withLabels(labels)
                                .endMetadata()
                                .build())
                .create();
        return new TestNamespace(name, client);
    }

    /**
     * Deletes the operator's custom resources, then the namespace. The test control plane has no
     * namespace controller, so the namespace stays Terminating; deleting the custom resources first
     * stops the operator from reconciling into it.
     */
    @Override
    public void close() {
        client.resources(MailRoute.class).inNamespace(name).delete();
        client.resources(MailRelay.class).inNamespace(name).delete();
        client.namespaces().withName(name).delete();
    }
}
