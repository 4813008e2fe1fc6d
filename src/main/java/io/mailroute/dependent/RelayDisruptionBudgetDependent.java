package io.mailroute.dependent;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.mailroute.api.v1alpha1.MailRelay;

/**
 * PodDisruptionBudget ({@code policy/v1}): voluntary evictions take at most one relay pod at a
 * time. Activated by {@link io.mailroute.compat.k8s120.PolicyV1Served} only while the 1.20 test API
 * server is supported.
 */
@KubernetesDependent(informer = @Informer(labelSelector = RelayObjects.MANAGED_SELECTOR))
public class RelayDisruptionBudgetDependent
        extends CRUDKubernetesDependentResource<PodDisruptionBudget, MailRelay> {

    @Override
    protected PodDisruptionBudget desired(MailRelay relay, Context<MailRelay> context) {
        return budget(relay);
    }

    /** The relay's PodDisruptionBudget. */
    public static PodDisruptionBudget budget(MailRelay relay) {
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
}
