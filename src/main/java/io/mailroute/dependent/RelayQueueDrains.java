package io.mailroute.dependent;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.mailroute.api.v1alpha1.MailRelay;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Mail left on the queue volume of a relay pod that a scale-down removed. A StatefulSet keeps the
 * volume claim of a removed ordinal ({@code queue-<relay>-<n>}, n &ge; replicas) but no pod runs on
 * it, so whatever the pod's preStop drain could not deliver in time (a next hop down or slow) would
 * wait there until the relay is scaled up again. For each such claim the operator runs a drain Job
 * ({@code <relay>-drain-<n>}): the relay image in drain mode ({@code RELAY_MODE=drain},
 * docs/relay.md) on that volume with the relay's configuration, SMTP listener off, which delivers
 * the queue and exits once it is empty. A completed Job stays as the record that the volume was
 * drained; when the ordinal comes back (scale-up), its Job is deleted so the pod has the volume to
 * itself, and the next scale-down drains it again.
 */
public final class RelayQueueDrains {
    public static final String COMPONENT = "queue-drain";

    /** Label selector of every drain Job, for the informer. */
    public static final String SELECTOR =
            RelayObjects.MANAGED_SELECTOR + "," + RelayObjects.COMPONENT_LABEL + "=" + COMPONENT;

    /**
     * Label selector of the relays' queue claims (the StatefulSet copies its pod selector onto
     * them).
     */
    public static final String CLAIM_SELECTOR = RelayObjects.POD_SELECTOR;

    public static final String ORDINAL_LABEL = "mailroute.io/queue-ordinal";
    public static final String CLAIM_TEMPLATE = "queue";

    private RelayQueueDrains() {}

    /** What to do: drain Jobs to create (by ordinal) and to delete (by name). */
    public record Plan(List<Integer> create, List<String> delete) {
        public boolean isEmpty() {
            return create.isEmpty() && delete.isEmpty();
        }
    }

    public static String claimName(String workload, int ordinal) {
        return CLAIM_TEMPLATE + "-" + workload + "-" + ordinal;
    }

    public static String jobName(String workload, int ordinal) {
        return workload + "-drain-" + ordinal;
    }

    /** The ordinal of one of the workload's queue claims, or -1 for any other claim. */
    public static int claimOrdinal(String workload, String claim) {
        String prefix = CLAIM_TEMPLATE + "-" + workload + "-";
        if (claim == null
                || !claim.startsWith(prefix)
                || claim.length() == prefix.length()
                || claim.length() - prefix.length() > 6) {
            return -1;
        }
        String digits = claim.substring(prefix.length());
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return -1;
            }
        }
        return Integer.parseInt(digits);
    }

    /**
     * @param replicas the relay's desired replicas
     * @param claims names of the relay's queue claims
     * @param pods names of the relay's pods that exist (running or terminating)
     * @param jobs the relay's drain Jobs by ordinal (name as value)
     */
    public static Plan plan(
            String workload,
            int replicas,
            Collection<String> claims,
            Set<String> pods,
            Map<Integer, String> jobs) {
        Set<Integer> create = new TreeSet<>();
        for (String claim : claims) {
            int ordinal = claimOrdinal(workload, claim);
            // a pod still terminating (its preStop drain running) owns the volume until it is gone
            if (ordinal >= replicas
                    && !pods.contains(workload + "-" + ordinal)
                    && !jobs.containsKey(ordinal)) {
                create.add(ordinal);
            }
        }
        List<String> delete = new ArrayList<>();
        new TreeMap<>(jobs)
                .forEach(
                        (ordinal, name) -> {
                            if (ordinal < replicas) {
                                delete.add(name);
                            }
                        });
        return new Plan(List.copyOf(create), delete);
    }

    /**
     * The drain Job of one ordinal: the relay's own pod template (image, resources, security
     * context, configuration and SASL volumes), without probes, ports or preStop hook, in drain
     * mode, on the ordinal's queue claim. Its pod carries none of the relay's selector labels, so
     * neither the relay's Service nor its StatefulSet or disruption budget ever selects it.
     */
    public static Job job(MailRelay relay, StatefulSet statefulSet, int ordinal) {
        String workload = RelayObjects.workloadName(relay.getMetadata().getName());
        Map<String, String> labels = new TreeMap<>();
        labels.put(RelayObjects.NAME_LABEL, "mailroute-relay-drain");
        labels.put(RelayObjects.INSTANCE_LABEL, relay.getMetadata().getName());
        labels.put(RelayObjects.MANAGED_BY_LABEL, RelayObjects.MANAGED_BY);
        labels.put(RelayObjects.COMPONENT_LABEL, COMPONENT);
        labels.put(RelayObjects.RELAY_LABEL, relay.getMetadata().getName());
        labels.put(ORDINAL_LABEL, Integer.toString(ordinal));
        PodSpec template = statefulSet.getSpec().getTemplate().getSpec();
        List<Container> containers =
                template.getContainers().stream()
                        .map(
                                c ->
                                        new ContainerBuilder(c)
                                                .withPorts(List.of())
                                                .withLifecycle(null)
                                                .withStartupProbe(null)
                                                .withReadinessProbe(null)
                                                .withLivenessProbe(null)
                                                .withEnv(env(c.getEnv()))
                                                .build())
                        .toList();
        PodSpec spec =
                new PodSpecBuilder(template)
                        .withContainers(containers)
                        .withRestartPolicy("OnFailure")
                        .withTerminationGracePeriodSeconds(30L)
                        .addNewVolume()
                        .withName(CLAIM_TEMPLATE)
                        .withNewPersistentVolumeClaim()
                        .withClaimName(claimName(workload, ordinal))
                        .endPersistentVolumeClaim()
                        .endVolume()
                        .build();
        return new JobBuilder()
                .withNewMetadata()
                .withName(jobName(workload, ordinal))
                .withNamespace(relay.getMetadata().getNamespace())
                .withLabels(labels)
                .withOwnerReferences(
                        new OwnerReferenceBuilder()
                                .withApiVersion(relay.getApiVersion())
                                .withKind(relay.getKind())
                                .withName(relay.getMetadata().getName())
                                .withUid(relay.getMetadata().getUid())
                                .withController(true)
                                .withBlockOwnerDeletion(true)
                                .build())
                .endMetadata()
                .withNewSpec()
                // a pod that fails (Postfix died, the node went) is retried; mail is never given up
                // by the Job
                .withBackoffLimit(20)
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(labels)
                .endMetadata()
                .withSpec(spec)
                .endTemplate()
                .endSpec()
                .build();
    }

    private static List<EnvVar> env(List<EnvVar> relayEnv) {
        List<EnvVar> env = new ArrayList<>();
        if (relayEnv != null) {
            relayEnv.stream()
                    .filter(
                            e ->
                                    !"RELAY_MODE".equals(e.getName())
                                            && !"RELAY_STATUS_LISTEN".equals(e.getName()))
                    .forEach(env::add);
        }
        env.add(new EnvVar("RELAY_MODE", "drain", null));
        env.add(new EnvVar("RELAY_STATUS_LISTEN", "", null));
        return env;
    }
}
