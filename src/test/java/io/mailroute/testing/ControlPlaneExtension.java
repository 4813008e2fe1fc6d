package io.mailroute.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension for plain (non-Quarkus) tests against the real API server: resolves {@link
 * KubernetesClient} (shared control plane) and {@link TestNamespace} (fresh per test, deleted after
 * it).
 */
public class ControlPlaneExtension implements ParameterResolver, AfterEachCallback {
    private static final ExtensionContext.Namespace STORE =
            ExtensionContext.Namespace.create(ControlPlaneExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == KubernetesClient.class || type == TestNamespace.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        KubernetesClient client = ControlPlane.get().client();
        if (parameter.getParameter().getType() == KubernetesClient.class) {
            return client;
        }
        return context.getStore(STORE)
                .getOrComputeIfAbsent(
                        "namespace", k -> TestNamespace.create(client), TestNamespace.class);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        TestNamespace namespace = context.getStore(STORE).remove("namespace", TestNamespace.class);
        if (namespace != null) {
            namespace.close();
        }
    }
}
