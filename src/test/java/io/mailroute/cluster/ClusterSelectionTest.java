package io.mailroute.cluster;

import static io.mailroute.cluster.K3sNode.Source.GIVEN_KUBECONFIG;
import static io.mailroute.cluster.K3sNode.Source.K3S_IN_DOCKER;
import static io.mailroute.cluster.K3sNode.Source.LOCAL_NODE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailroute.testing.RealComponents;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Which cluster the journey runs on (K3sNode#select); the K3s path itself needs a Docker engine.
 */
@RealComponents
class ClusterSelectionTest {

    @Test
    void aGivenKubeconfigWinsAndDockerIsNotEvenAsked() {
        AtomicInteger asked = new AtomicInteger();
        assertThat(K3sNode.select("/tmp/kubeconfig", "always", () -> asked.incrementAndGet() > 0))
                .isEqualTo(GIVEN_KUBECONFIG);
        assertThat(asked).hasValue(0);
    }

    @Test
    void k3sOnlyWhereDockerAnswersUnlessForced() {
        assertThat(K3sNode.select(null, null, () -> true)).isEqualTo(K3S_IN_DOCKER);
        assertThat(K3sNode.select("", "auto", () -> false)).isEqualTo(LOCAL_NODE);
        assertThat(K3sNode.select(" ", "never", () -> true)).isEqualTo(LOCAL_NODE);
        assertThat(K3sNode.select(null, "always", () -> false)).isEqualTo(K3S_IN_DOCKER);
        assertThatThrownBy(() -> K3sNode.select(null, "yes", () -> true))
                .hasMessageContaining("MAILROUTE_TEST_K3S");
    }
}
