package io.mailroute.compat.k8s120;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudgetBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.dependent.RelayDisruptionBudgetDependent;
import io.mailroute.dependent.RelayObjects;

/**
 * Kubernetes 1.20 compatibility (see package-info). The same budget as {@link
 * RelayDisruptionBudgetDependent} for clusters that serve only {@code policy/v1beta1} (Kubernetes
 * 1.20). Chosen by API discovery; never active on a supported (1.25+) cluster.
 */
@KubernetesDependent(informer = @Informer(labelSelector = RelayObjects.MANAGED_SELECTOR))
public class RelayDisruptionBudgetV1beta1Dependent
        extends CRUDKubernetesDependentResource<PodDisruptionBudget, MailRelay> {

    @Override
    protected PodDisruptionBudget desired(MailRelay relay, Context<MailRelay> context) {
        return new PodDisruptionBudgetBuilder()
                .withMetadata(
                        RelayObjects.metadata(
                                relay,
                                RelayObjects.workloadName(relay.getMetadata().getName()),
                                RelayObjects.COMPONENT_RELAY))
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(1))
                .withNewSelector()
                .withMatchLabels(RelayObjects.selectorLabels(relay))
                .endSelector()
                .endSpec()
                .build();
    }

    /** Active only where policy/v1 is not served. */
    public static class Served implements Condition<PodDisruptionBudget, MailRelay> {
        @Override
        public boolean isMet(
                DependentResource<PodDisruptionBudget, MailRelay> dependent,
                MailRelay relay,
                Context<MailRelay> context) {
            return !PolicyApi.servesV1(context.getClient());
        }
    }
}
