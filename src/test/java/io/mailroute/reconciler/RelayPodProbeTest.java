package io.mailroute.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.mailroute.api.v1alpha1.RelayPodStatus;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Reading a relay pod's {@code /status} text (written by the relay's entrypoint) and its readiness.
 */
class RelayPodProbeTest {

    @Test
    void parsesKeyValueLinesTrimmedAndSkipsTheRest() {
        Map<String, String> fields =
                RelayPodProbe.parse(
                        """
                state=running
                live = 0123abcd\r
                mounted=0123abcd
                message=could not install: a=b
                no equals sign here
                =no key
                """);
        assertThat(fields)
                .containsOnly(
                        Map.entry("state", "running"),
                        Map.entry("live", "0123abcd"),
                        Map.entry("mounted", "0123abcd"),
                        Map.entry("message", "could not install: a=b"));
    }

    @Test
    void anEmptyBodyHasNoFieldsAndTheLastDuplicateWins() {
        assertThat(RelayPodProbe.parse("")).isEmpty();
        assertThat(RelayPodProbe.parse("state=starting\nstate=running\n"))
                .containsOnly(Map.entry("state", "running"));
    }

    private static Pod pod(String ip, String readyStatus) {
        PodBuilder builder =
                new PodBuilder()
                        .withNewMetadata()
                        .withName("relay-0")
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("postfix")
                        .endContainer()
                        .endSpec();
        builder.withNewStatus().withPodIP(ip).endStatus();
        if (readyStatus != null) {
            builder.editStatus()
                    .addNewCondition()
                    .withType("Ready")
                    .withStatus(readyStatus)
                    .endCondition()
                    .endStatus();
        }
        return builder.build();
    }

    @Test
    void readyOnlyWithTheReadyConditionTrue() {
        assertThat(RelayPodProbe.isReady(pod("10.0.0.1", "True"))).isTrue();
        assertThat(RelayPodProbe.isReady(pod("10.0.0.1", "False"))).isFalse();
        assertThat(RelayPodProbe.isReady(pod("10.0.0.1", null))).isFalse();
        assertThat(RelayPodProbe.isReady(new Pod())).isFalse();
    }

    @Test
    void aPodWithoutAnIpIsUnreachableWithoutAnyRequest() {
        RelayPodStatus status = RelayPodProbe.probe(pod(null, "False"));
        assertThat(status.name).isEqualTo("relay-0");
        assertThat(status.ready).isFalse();
        assertThat(status.state).isEqualTo("unreachable");
        assertThat(status.liveHash).isNull();
        assertThat(status.message).isEqualTo("pod has no IP yet");
    }
}
