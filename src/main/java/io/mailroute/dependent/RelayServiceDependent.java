package io.mailroute.dependent;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.mailroute.api.v1alpha1.MailRelay;

/** ClusterIP Service on port 25 in front of the relay pods. */
public class RelayServiceDependent extends CRUDKubernetesDependentResource<Service, MailRelay> {

    @Override
    protected Service desired(MailRelay relay, Context<MailRelay> context) {
        return new ServiceBuilder()
                .withMetadata(RelayObjects.metadata(relay, RelayObjects.workloadName(relay.getMetadata().getName()),
                        "relay"))
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(RelayObjects.selectorLabels(relay))
                .addNewPort().withName("smtp").withProtocol("TCP").withPort(RelayObjects.SMTP_PORT)
                .withTargetPort(new IntOrString("smtp")).endPort()
                .endSpec()
                .build();
    }
}
