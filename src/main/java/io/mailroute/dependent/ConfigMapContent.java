package io.mailroute.dependent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.Map;
import java.util.Objects;

/**
 * Whether a relay ConfigMap as written already holds what the operator would write. The SDK's
 * generic matcher turns both objects into JSON trees and diffs them: for the main ConfigMap of a
 * relay with 10,000 routes (600 KB of transport map) that was a large part of each relay reconcile,
 * paid on every edit. Comparing the data maps directly is a string comparison.
 */
final class ConfigMapContent {
    private ConfigMapContent() {}

    /**
     * True when {@code actual} has exactly the data of {@code desired} (a key left over from an
     * older layout, say an inline {@code transport} next to {@code transport.parts}, does not
     * match: the relay would see it as a file), no binary data, and at least its labels and
     * annotations (others may add their own).
     */
    static boolean matches(ConfigMap actual, ConfigMap desired) {
        return Objects.equals(orEmpty(actual.getData()), orEmpty(desired.getData()))
                && orEmpty(actual.getBinaryData()).isEmpty()
                && contains(actual.getMetadata().getLabels(), desired.getMetadata().getLabels())
                && contains(
                        actual.getMetadata().getAnnotations(),
                        desired.getMetadata().getAnnotations());
    }

    private static boolean contains(Map<String, String> actual, Map<String, String> desired) {
        return orEmpty(actual).entrySet().containsAll(orEmpty(desired).entrySet());
    }

    private static Map<String, String> orEmpty(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }
}
