package io.mailroute.routing;

import java.util.Map;
import java.util.Optional;

/**
 * What planning needs to read from the cluster besides the routes themselves; implemented over the
 * API client.
 */
public interface RouteInputs {
    /** Labels of a namespace, empty when it does not exist. */
    Map<String, String> namespaceLabels(String namespace);

    /**
     * A Secret's type and labels, with its decoded values only when it is a credentials Secret
     * ({@link SecretInput#of}); empty when it does not exist.
     */
    Optional<SecretInput> secret(String namespace, String name);
}
