package io.mailroute.routing;

import java.util.Map;
import java.util.Optional;

/** What planning needs to read from the cluster besides the routes themselves; implemented over the API client. */
public interface RouteInputs {
    /** Labels of a namespace, empty when it does not exist. */
    Map<String, String> namespaceLabels(String namespace);

    /** Decoded data of a Secret, empty when it does not exist. */
    Optional<Map<String, String>> secretData(String namespace, String name);
}
