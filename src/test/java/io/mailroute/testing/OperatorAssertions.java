package io.mailroute.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;

/** Shared assertions and waiting rules of the operator tests. */
public final class OperatorAssertions {
    private OperatorAssertions() {}

    /**
     * Status appears asynchronously: while waiting, a missing status (NullPointerException) or a
     * transient API error means "not yet".
     */
    public static void waitPatiently(Duration timeout) {
        Awaitility.setDefaultTimeout(timeout);
        Awaitility.ignoreExceptionsByDefaultMatching(
                e -> e instanceof KubernetesClientException || e instanceof NullPointerException);
    }

    /**
     * Asserts that condition {@code type} has this status and reason; returns it for further
     * checks.
     */
    public static Condition assertCondition(
            List<Condition> conditions, String type, String status, String reason) {
        Condition condition =
                conditions.stream()
                        .filter(c -> c.getType().equals(type))
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new AssertionError(
                                                "no condition " + type + " in " + conditions));
        assertThat(condition.getStatus())
                .as(type + " status (" + condition.getMessage() + ")")
                .isEqualTo(status);
        assertThat(condition.getReason())
                .as(type + " reason (" + condition.getMessage() + ")")
                .isEqualTo(reason);
        assertThat(condition.getLastTransitionTime()).isNotBlank();
        return condition;
    }
}
