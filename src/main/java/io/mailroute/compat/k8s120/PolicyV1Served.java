package io.mailroute.compat.k8s120;

import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.mailroute.api.v1alpha1.MailRelay;

/**
 * Kubernetes 1.20 compatibility (see package-info): activates the {@code policy/v1}
 * PodDisruptionBudget dependent only where the cluster serves that API. Every supported cluster
 * does; without 1.20 the dependent needs no condition.
 */
public class PolicyV1Served implements Condition<PodDisruptionBudget, MailRelay> {
    @Override
    public boolean isMet(
            DependentResource<PodDisruptionBudget, MailRelay> dependent,
            MailRelay relay,
            Context<MailRelay> context) {
        return PolicyApi.servesV1(context.getClient());
    }
}
