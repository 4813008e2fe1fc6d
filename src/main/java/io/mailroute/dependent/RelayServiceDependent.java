package io.mailroute.dependent;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.BooleanWithUndefined;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.mailroute.api.v1alpha1.MailRelay;

/**
 * ClusterIP Service on port 25 in front of the relay pods. Written with create/update rather than
 * server-side apply ({@code useSSA = FALSE}, Kubernetes 1.20 compatibility, listed in {@link
 * io.mailroute.compat.k8s120}): Kubernetes 1.20 rejects creating a Service through apply
 * ("resourceVersion should not be set on objects to be created"); 1.25+ accepts both. Without 1.20,
 * drop {@code useSSA} and the Service is written like every other dependent.
 */
@KubernetesDependent(
        useSSA = BooleanWithUndefined.FALSE, // k8s 1.20 compat
        informer = @Informer(labelSelector = RelayObjects.MANAGED_SELECTOR))
public class RelayServiceDependent extends CRUDKubernetesDependentResource<Service, MailRelay> {

    @Override
    protected Service desired(MailRelay relay, Context<MailRelay> context) {
        return service(relay);
    }

    /** The relay's Service. */
    public static Service service(MailRelay relay) {
        return new ServiceBuilder()
                .withMetadata(
                        RelayObjects.metadata(
                                relay,
                                RelayObjects.workloadName(relay.getMetadata().getName()),
                                RelayObjects.COMPONENT_RELAY))
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(RelayObjects.selectorLabels(relay))
                .addNewPort()
                .withName("smtp")
                .withProtocol("TCP")
                .withPort(RelayObjects.SMTP_PORT)
                .withTargetPort(new IntOrString("smtp"))
                .endPort()
                .endSpec()
                .build();
    }
}
