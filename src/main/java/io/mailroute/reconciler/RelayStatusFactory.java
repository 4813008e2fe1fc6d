package io.mailroute.reconciler;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRelayStatus;
import io.mailroute.routing.RelayPlan;
import io.mailroute.status.Conditions;

import java.time.Clock;

/** Builds a {@link MailRelayStatus} from a plan and the observed StatefulSet. */
final class RelayStatusFactory {
    static final String PROGRAMMED = "Programmed";
    static final String READY = "Ready";

    private RelayStatusFactory() {
    }

    static MailRelayStatus status(MailRelay relay, RelayPlan plan, StatefulSet statefulSet, Clock clock) {
        MailRelayStatus old = relay.getStatus() == null ? new MailRelayStatus() : relay.getStatus();
        long generation = relay.getMetadata().getGeneration() == null ? 0 : relay.getMetadata().getGeneration();
        Conditions conditions = new Conditions(old.conditions, generation, clock);
        MailRelayStatus status = new MailRelayStatus();
        status.observedGeneration = generation;
        status.attachedRoutes = plan.attachedRoutes();
        if (plan.config().isPresent()) {
            status.configHash = plan.config().get().hash();
            conditions.setTrue(PROGRAMMED, "Rendered", plan.attachedRoutes() + " route(s) rendered into ConfigMap "
                    + relay.getMetadata().getName() + "-config");
        } else {
            status.configHash = old.configHash;
            conditions.setFalse(PROGRAMMED, plan.errorReason(), plan.errorMessage()
                    + "; the last rendered configuration stays in place");
        }
        int wanted = relay.getSpec().replicas == null ? 1 : relay.getSpec().replicas;
        int ready = statefulSet == null || statefulSet.getStatus() == null
                || statefulSet.getStatus().getReadyReplicas() == null ? 0 : statefulSet.getStatus().getReadyReplicas();
        status.readyReplicas = ready;
        if (!conditions.isTrue(PROGRAMMED)) {
            conditions.setFalse(READY, "NotProgrammed", "the relay configuration is not programmed");
        } else if (wanted > 0 && ready >= wanted) {
            conditions.setTrue(READY, "RelayReady", ready + "/" + wanted + " relay pods ready");
        } else {
            conditions.setFalse(READY, "RelayNotReady", ready + "/" + wanted + " relay pods ready");
        }
        status.conditions = conditions.build();
        return status;
    }

    static MailRelayStatus error(MailRelay relay, Exception e, Clock clock) {
        MailRelayStatus old = relay.getStatus() == null ? new MailRelayStatus() : relay.getStatus();
        long generation = relay.getMetadata().getGeneration() == null ? 0 : relay.getMetadata().getGeneration();
        MailRelayStatus status = new MailRelayStatus();
        status.observedGeneration = generation;
        status.attachedRoutes = old.attachedRoutes;
        status.configHash = old.configHash;
        status.readyReplicas = old.readyReplicas;
        status.conditions = new Conditions(old.conditions, generation, clock)
                .setFalse(PROGRAMMED, "ReconcileError", String.valueOf(e.getMessage()))
                .setFalse(READY, "ReconcileError", "reconciliation failed; see the Programmed condition")
                .build();
        return status;
    }
}
