package io.mailroute.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.testing.Resources;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which queue volumes of removed relay pods get a drain Job, and what that Job runs. */
class RelayQueueDrainsTest {

    @Test
    void onlyClaimsOfOrdinalsBeyondTheReplicasWhosePodIsGoneAreDrained() {
        List<String> claims =
                List.of(
                        "queue-relay-0",
                        "queue-relay-1",
                        "queue-relay-2",
                        "queue-relay-x",
                        "queue-relay-other-3",
                        "data-relay-4");
        // scaled 3 -> 1: relay-2 is gone, relay-1 still terminating (its preStop drain runs)
        assertThat(
                        RelayQueueDrains.plan(
                                "relay", 1, claims, Set.of("relay-0", "relay-1"), Map.of()))
                .isEqualTo(new RelayQueueDrains.Plan(List.of(2), List.of()));
        // relay-1 gone too; relay-2 has its Job already
        assertThat(
                        RelayQueueDrains.plan(
                                "relay", 1, claims, Set.of("relay-0"), Map.of(2, "relay-drain-2")))
                .isEqualTo(new RelayQueueDrains.Plan(List.of(1), List.of()));
        // scaled to 0: ordinal 0 as well
        assertThat(
                        RelayQueueDrains.plan(
                                        "relay",
                                        0,
                                        claims,
                                        Set.of(),
                                        Map.of(1, "relay-drain-1", 2, "relay-drain-2"))
                                .create())
                .containsExactly(0);
        // scaled back to 2: the pod of ordinal 1 gets its volume back; ordinal 2's Job stays as the
        // drained record
        assertThat(
                        RelayQueueDrains.plan(
                                "relay",
                                2,
                                claims,
                                Set.of("relay-0"),
                                Map.of(1, "relay-drain-1", 2, "relay-drain-2")))
                .isEqualTo(new RelayQueueDrains.Plan(List.of(), List.of("relay-drain-1")));
        assertThat(
                        RelayQueueDrains.plan(
                                        "relay",
                                        3,
                                        claims,
                                        Set.of("relay-0", "relay-1", "relay-2"),
                                        Map.of())
                                .isEmpty())
                .isTrue();
    }

    @Test
    void claimOrdinalsAreParsedStrictly() {
        assertThat(RelayQueueDrains.claimOrdinal("relay", "queue-relay-12")).isEqualTo(12);
        assertThat(RelayQueueDrains.claimOrdinal("relay", "queue-relay-")).isEqualTo(-1);
        assertThat(RelayQueueDrains.claimOrdinal("relay", "queue-relay-a-1")).isEqualTo(-1);
        assertThat(RelayQueueDrains.claimOrdinal("relay", "queue-relay-99999999999")).isEqualTo(-1);
        assertThat(RelayQueueDrains.claimOrdinal("relay", "queue-other-1")).isEqualTo(-1);
    }

    @Test
    void theDrainJobRunsTheRelaysPodTemplateInDrainModeOnTheRemovedPodsVolume() {
        MailRelay relay = Resources.relay("shop", "relay");
        relay.setMetadata(new ObjectMetaBuilder(relay.getMetadata()).withUid("uid-1").build());
        StatefulSet statefulSet =
                new StatefulSetBuilder()
                        .withNewSpec()
                        .withNewSelector()
                        .withMatchLabels(RelayObjects.selectorLabels(relay))
                        .endSelector()
                        .withNewTemplate()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("postfix")
                        .withImage("mailroute/postfix-relay:test")
                        .addNewPort()
                        .withName("smtp")
                        .withContainerPort(25)
                        .endPort()
                        .addNewEnv()
                        .withName("RELAY_STATUS_LISTEN")
                        .withValue("8025")
                        .endEnv()
                        .withNewLifecycle()
                        .withNewPreStop()
                        .withNewExec()
                        .withCommand("drain.sh")
                        .endExec()
                        .endPreStop()
                        .endLifecycle()
                        .withNewReadinessProbe()
                        .withNewExec()
                        .withCommand("ready.sh")
                        .endExec()
                        .endReadinessProbe()
                        .withNewSecurityContext()
                        .withRunAsUser(0L)
                        .endSecurityContext()
                        .addNewVolumeMount()
                        .withName("config")
                        .withMountPath("/etc/mailroute/config")
                        .endVolumeMount()
                        .addNewVolumeMount()
                        .withName("queue")
                        .withMountPath("/var/spool/postfix")
                        .endVolumeMount()
                        .endContainer()
                        .addNewVolume()
                        .withName("config")
                        .withNewConfigMap()
                        .withName("relay-config")
                        .endConfigMap()
                        .endVolume()
                        .endSpec()
                        .endTemplate()
                        .endSpec()
                        .build();

        Job job = RelayQueueDrains.job(relay, statefulSet, 1);

        assertThat(job.getMetadata().getName()).isEqualTo("relay-drain-1");
        assertThat(job.getMetadata().getNamespace()).isEqualTo("shop");
        assertThat(job.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo("uid-1"));
        Map<String, String> podLabels = job.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(podLabels)
                .as("the relay's Service, StatefulSet and disruption budget must not select it")
                .doesNotContainEntry("app.kubernetes.io/name", "mailroute-relay")
                .containsEntry(RelayQueueDrains.ORDINAL_LABEL, "1");
        var spec = job.getSpec().getTemplate().getSpec();
        assertThat(spec.getRestartPolicy()).isEqualTo("OnFailure");
        assertThat(spec.getVolumes())
                .extracting(Volume::getName)
                .containsExactly("config", "queue");
        assertThat(spec.getVolumes().get(1).getPersistentVolumeClaim().getClaimName())
                .isEqualTo("queue-relay-1");
        var container = spec.getContainers().get(0);
        var relayContainer = statefulSet.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getImage()).isEqualTo(relayContainer.getImage());
        assertThat(container.getSecurityContext()).isEqualTo(relayContainer.getSecurityContext());
        assertThat(container.getVolumeMounts()).isEqualTo(relayContainer.getVolumeMounts());
        assertThat(container.getEnv())
                .extracting(e -> e.getName() + "=" + e.getValue())
                .containsExactly("RELAY_MODE=drain", "RELAY_STATUS_LISTEN=");
        assertThat(container.getLifecycle()).isNull();
        assertThat(container.getReadinessProbe()).isNull();
        assertThat(container.getPorts()).isEmpty();
    }
}
