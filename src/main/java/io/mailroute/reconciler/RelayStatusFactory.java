package io.mailroute.reconciler;

import static io.mailroute.status.StatusNames.ConditionType.PROGRAMMED;
import static io.mailroute.status.StatusNames.ConditionType.READY;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.mailroute.api.v1alpha1.Defaults;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRelayStatus;
import io.mailroute.api.v1alpha1.RelayPodStatus;
import io.mailroute.dependent.RelayObjects;
import io.mailroute.routing.RelayPlan;
import io.mailroute.status.Conditions;
import io.mailroute.status.StatusNames.Reason;
import java.time.Clock;
import java.util.List;

/** Builds a {@link MailRelayStatus} from a plan and the observed StatefulSet. */
final class RelayStatusFactory {
    private RelayStatusFactory() {}

    /**
     * {@code configHash}: the public hash of the plan's configuration (null when the plan has
     * none).
     */
    static MailRelayStatus status(
            MailRelay relay,
            RelayPlan plan,
            String configHash,
            StatefulSet statefulSet,
            List<RelayPodStatus> pods,
            Clock clock) {
        MailRelayStatus old = relay.getStatus() == null ? new MailRelayStatus() : relay.getStatus();
        long generation =
                relay.getMetadata().getGeneration() == null
                        ? 0
                        : relay.getMetadata().getGeneration();
        Conditions conditions = new Conditions(old.conditions, generation, clock);
        MailRelayStatus status = new MailRelayStatus();
        status.observedGeneration = generation;
        status.attachedRoutes = plan.attachedRoutes();
        status.pods = pods;
        if (plan.config().isPresent()) {
            status.configHash = configHash;
            setProgrammed(conditions, relay, plan, status.configHash, pods);
        } else {
            status.configHash = old.configHash;
            conditions.setFalse(
                    PROGRAMMED,
                    plan.errorReason(),
                    plan.errorMessage() + "; the last rendered configuration stays in place");
        }
        int wanted =
                relay.getSpec().replicas == null ? Defaults.REPLICAS : relay.getSpec().replicas;
        int ready =
                statefulSet == null
                                || statefulSet.getStatus() == null
                                || statefulSet.getStatus().getReadyReplicas() == null
                        ? 0
                        : statefulSet.getStatus().getReadyReplicas();
        status.readyReplicas = ready;
        if (!conditions.isTrue(PROGRAMMED)) {
            String reason = conditions.get(PROGRAMMED).orElseThrow().getReason();
            conditions.setFalse(
                    READY,
                    reason,
                    "Programmed: " + conditions.get(PROGRAMMED).orElseThrow().getMessage());
        } else if (wanted > 0 && ready >= wanted) {
            conditions.setTrue(
                    READY, Reason.RELAY_READY, ready + "/" + wanted + " relay pods ready");
        } else {
            conditions.setFalse(
                    READY, Reason.RELAY_NOT_READY, ready + "/" + wanted + " relay pods ready");
        }
        status.conditions = conditions.build();
        return status;
    }

    /**
     * Programmed means running in the relay: every ready pod reports the current configuration hash
     * as live. A configuration that is only written to the ConfigMap is ConfigPending (or
     * NoReadyPods without pods).
     */
    private static void setProgrammed(
            Conditions conditions,
            MailRelay relay,
            RelayPlan plan,
            String hash,
            List<RelayPodStatus> pods) {
        String written =
                plan.attachedRoutes()
                        + " route(s) rendered into ConfigMap "
                        + RelayObjects.configMapName(relay.getMetadata().getName())
                        + " ("
                        + hash.substring(0, 12)
                        + ")";
        List<RelayPodStatus> ready =
                pods.stream().filter(p -> Boolean.TRUE.equals(p.ready)).toList();
        if (ready.isEmpty()) {
            conditions.setFalse(
                    PROGRAMMED,
                    Reason.NO_READY_PODS,
                    written + "; no relay pod is ready to run it");
            return;
        }
        List<RelayPodStatus> refused =
                ready.stream()
                        .filter(p -> !hash.equals(p.liveHash) && "refused".equals(p.state))
                        .toList();
        // "failed": the configuration is valid but the pod could not install it (e.g. a full
        // volume); the pod
        // keeps the last good one live and retries, and the reason must be visible here, not a
        // silent pending.
        List<RelayPodStatus> failed =
                ready.stream()
                        .filter(p -> !hash.equals(p.liveHash) && "failed".equals(p.state))
                        .toList();
        long live = ready.stream().filter(p -> hash.equals(p.liveHash)).count();
        if (!refused.isEmpty()) {
            conditions.setFalse(
                    PROGRAMMED,
                    Reason.CONFIG_REFUSED,
                    written
                            + "; refused by pod "
                            + refused.get(0).name
                            + ": "
                            + refused.get(0).message);
        } else if (!failed.isEmpty()) {
            conditions.setFalse(
                    PROGRAMMED,
                    Reason.CONFIG_INSTALL_FAILED,
                    written
                            + "; pod "
                            + failed.get(0).name
                            + " could not install it: "
                            + failed.get(0).message);
        } else if (live == ready.size()) {
            conditions.setTrue(
                    PROGRAMMED,
                    Reason.CONFIG_LIVE,
                    written + "; live in " + live + "/" + ready.size() + " ready relay pod(s)");
        } else {
            conditions.setFalse(
                    PROGRAMMED,
                    Reason.CONFIG_PENDING,
                    written
                            + "; live in "
                            + live
                            + "/"
                            + ready.size()
                            + " ready relay pod(s) so far");
        }
    }

    /**
     * True while a written configuration is still being picked up by the pods (worth looking again
     * soon).
     */
    static boolean waitingForLiveConfig(MailRelayStatus status) {
        return status.conditions.stream()
                .anyMatch(
                        c ->
                                PROGRAMMED.equals(c.getType())
                                        && (Reason.CONFIG_PENDING.equals(c.getReason())
                                                || Reason.CONFIG_INSTALL_FAILED.equals(
                                                        c.getReason())));
    }

    static MailRelayStatus error(MailRelay relay, Exception e, Clock clock) {
        MailRelayStatus old = relay.getStatus() == null ? new MailRelayStatus() : relay.getStatus();
        long generation =
                relay.getMetadata().getGeneration() == null
                        ? 0
                        : relay.getMetadata().getGeneration();
        MailRelayStatus status = new MailRelayStatus();
        status.observedGeneration = generation;
        status.attachedRoutes = old.attachedRoutes;
        status.configHash = old.configHash;
        status.readyReplicas = old.readyReplicas;
        status.pods = old.pods;
        status.conditions =
                new Conditions(old.conditions, generation, clock)
                        .setFalse(
                                PROGRAMMED, Reason.RECONCILE_ERROR, String.valueOf(e.getMessage()))
                        .setFalse(
                                READY,
                                Reason.RECONCILE_ERROR,
                                "reconciliation failed; see the Programmed condition")
                        .build();
        return status;
    }
}
