package io.mailroute.dependent;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRelaySpec;
import io.mailroute.api.v1alpha1.RelayStorage;

import java.util.Map;

/**
 * The Postfix relay pods. Configuration is mounted from the relay's ConfigMap (and SASL Secret, optional); the queue
 * lives on a per-pod volume from volumeClaimTemplates. The pod template carries no config hash: the relay reloads
 * changed files itself, so a route change never restarts pods.
 */
public class RelayStatefulSetDependent extends CRUDKubernetesDependentResource<StatefulSet, MailRelay> {
    public static final String CONFIG_MOUNT = "/etc/mailroute/config";
    public static final String SASL_MOUNT = "/etc/mailroute/sasl";
    public static final String QUEUE_MOUNT = "/var/spool/postfix";

    @Override
    protected StatefulSet desired(MailRelay relay, Context<MailRelay> context) {
        MailRelaySpec spec = relay.getSpec();
        String name = relay.getMetadata().getName();
        return new StatefulSetBuilder()
                .withMetadata(RelayObjects.metadata(relay, RelayObjects.workloadName(name), "relay"))
                .withNewSpec()
                .withReplicas(spec.replicas == null ? 1 : spec.replicas)
                .withServiceName(RelayObjects.workloadName(name))
                .withNewSelector().withMatchLabels(RelayObjects.selectorLabels(relay)).endSelector()
                .withNewTemplate()
                .withNewMetadata().withLabels(RelayObjects.labels(relay, "relay")).endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("postfix")
                .withImage(RelayRenderContext.of(context).image())
                .addNewPort().withName("smtp").withContainerPort(RelayObjects.SMTP_PORT).withProtocol("TCP").endPort()
                .addNewVolumeMount().withName("config").withMountPath(CONFIG_MOUNT).withReadOnly(true).endVolumeMount()
                .addNewVolumeMount().withName("sasl").withMountPath(SASL_MOUNT).withReadOnly(true).endVolumeMount()
                .addNewVolumeMount().withName("queue").withMountPath(QUEUE_MOUNT).endVolumeMount()
                .withResources(resources(spec.resources))
                .withNewReadinessProbe().withNewTcpSocket().withPort(new IntOrString("smtp")).endTcpSocket()
                .withPeriodSeconds(10).endReadinessProbe()
                .endContainer()
                .addNewVolume().withName("config").withNewConfigMap()
                .withName(RelayObjects.configMapName(name)).endConfigMap().endVolume()
                .addNewVolume().withName("sasl").withNewSecret()
                .withSecretName(RelayObjects.saslSecretName(name)).withOptional(true).withDefaultMode(0400)
                .endSecret().endVolume()
                .endSpec()
                .endTemplate()
                .withVolumeClaimTemplates(queueClaim(spec.storage))
                .endSpec()
                .build();
    }

    private static PersistentVolumeClaim queueClaim(RelayStorage storage) {
        String size = storage == null || storage.size == null ? "1Gi" : storage.size;
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName("queue").endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName(storage == null ? null : storage.storageClassName)
                .withNewResources().addToRequests("storage", new Quantity(size)).endResources()
                .endSpec()
                .build();
    }

    private static ResourceRequirements resources(ResourceRequirements requested) {
        if (requested != null) {
            return requested;
        }
        return new ResourceRequirementsBuilder()
                .withRequests(Map.of("cpu", new Quantity("50m"), "memory", new Quantity("64Mi")))
                .withLimits(Map.of("memory", new Quantity("256Mi")))
                .build();
    }
}
