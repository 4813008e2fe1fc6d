package io.mailroute.dependent;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.mailroute.api.v1alpha1.MailRelay;

/** PodDisruptionBudget ({@code policy/v1}): voluntary evictions take at most one relay pod at a time. */
@KubernetesDependent(informer = @Informer(labelSelector = RelayObjects.MANAGED_SELECTOR))
public class RelayDisruptionBudgetDependent extends CRUDKubernetesDependentResource<PodDisruptionBudget, MailRelay> {

    @Override
    protected PodDisruptionBudget desired(MailRelay relay, Context<MailRelay> context) {
        return new PodDisruptionBudgetBuilder()
                .withMetadata(RelayObjects.metadata(relay, RelayObjects.workloadName(relay.getMetadata().getName()),
                        RelayObjects.COMPONENT_RELAY))
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(1))
                .withNewSelector().withMatchLabels(RelayObjects.selectorLabels(relay)).endSelector()
                .endSpec()
                .build();
    }

    /** Active where the cluster serves policy/v1. */
    public static class Served implements Condition<PodDisruptionBudget, MailRelay> {
        @Override
        public boolean isMet(DependentResource<PodDisruptionBudget, MailRelay> dependent, MailRelay relay,
                             Context<MailRelay> context) {
            return PolicyApi.servesV1(context.getClient());
        }
    }
}
