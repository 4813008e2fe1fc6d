package io.mailroute.dependent;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.VolumeProjectionBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.mailroute.api.v1alpha1.Defaults;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRelaySpec;
import io.mailroute.api.v1alpha1.RelayStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Postfix relay pods (image: src/main/docker/relay, see docs/relay.md). Configuration is
 * mounted from the relay's ConfigMap (and SASL Secret, optional); the queue lives on a per-pod
 * volume from volumeClaimTemplates. A preStop hook drains the queue (bounded) before the pod stops;
 * readiness means the SMTP banner answers, which the relay only does with a validated
 * configuration. The pod template carries no config hash: the relay reloads changed files itself,
 * so a route change never restarts pods.
 */
@KubernetesDependent(informer = @Informer(labelSelector = RelayObjects.MANAGED_SELECTOR))
public class RelayStatefulSetDependent
        extends CRUDKubernetesDependentResource<StatefulSet, MailRelay> {
    public static final String CONFIG_MOUNT = "/etc/mailroute/config";
    public static final String SASL_MOUNT = "/etc/mailroute/sasl";
    public static final String QUEUE_MOUNT = "/var/spool/postfix";
    public static final String SCRIPTS = "/usr/local/lib/mailroute/";
    public static final int STATUS_PORT = 8025;

    /**
     * Longer than the drain deadline (RELAY_DRAIN_SECONDS=60) plus the time `postfix stop` needs.
     */
    public static final long TERMINATION_GRACE_SECONDS = 90;

    @Override
    protected StatefulSet desired(MailRelay relay, Context<MailRelay> context) {
        return statefulSet(relay, RelayRenderContext.of(context).image());
    }

    /** The relay's StatefulSet, its container running {@code image}. */
    public static StatefulSet statefulSet(MailRelay relay, String image) {
        MailRelaySpec spec = relay.getSpec();
        String name = relay.getMetadata().getName();
        return new StatefulSetBuilder()
                .withMetadata(
                        RelayObjects.metadata(
                                relay,
                                RelayObjects.workloadName(name),
                                RelayObjects.COMPONENT_RELAY))
                .withNewSpec()
                .withReplicas(spec.replicas == null ? Defaults.REPLICAS : spec.replicas)
                .withServiceName(RelayObjects.workloadName(name))
                .withNewSelector()
                .withMatchLabels(RelayObjects.selectorLabels(relay))
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(RelayObjects.labels(relay, RelayObjects.COMPONENT_RELAY))
                .endMetadata()
                .withNewSpec()
                .withTerminationGracePeriodSeconds(TERMINATION_GRACE_SECONDS)
                .addNewContainer()
                .withName("postfix")
                .withImage(image)
                .addNewPort()
                .withName("smtp")
                .withContainerPort(RelayObjects.SMTP_PORT)
                .withProtocol("TCP")
                .endPort()
                .addNewPort()
                .withName("status")
                .withContainerPort(STATUS_PORT)
                .withProtocol("TCP")
                .endPort()
                .withNewLifecycle()
                .withNewPreStop()
                .withNewExec()
                .withCommand(SCRIPTS + "drain.sh")
                .endExec()
                .endPreStop()
                .endLifecycle()
                .withNewStartupProbe()
                .withNewExec()
                .withCommand(SCRIPTS + "ready.sh")
                .endExec()
                .withPeriodSeconds(2)
                .withTimeoutSeconds(6)
                .withFailureThreshold(60)
                .endStartupProbe()
                .withNewReadinessProbe()
                .withNewExec()
                .withCommand(SCRIPTS + "ready.sh")
                .endExec()
                .withPeriodSeconds(5)
                .withTimeoutSeconds(6)
                .withFailureThreshold(2)
                .endReadinessProbe()
                .withNewLivenessProbe()
                .withNewTcpSocket()
                .withPort(new IntOrString("smtp"))
                .endTcpSocket()
                .withPeriodSeconds(20)
                .withFailureThreshold(6)
                .endLivenessProbe()
                .withSecurityContext(securityContext())
                .addNewVolumeMount()
                .withName("config")
                .withMountPath(CONFIG_MOUNT)
                .withReadOnly(true)
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("sasl")
                .withMountPath(SASL_MOUNT)
                .withReadOnly(true)
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("queue")
                .withMountPath(QUEUE_MOUNT)
                .endVolumeMount()
                .withResources(resources(spec.resources))
                .endContainer()
                .addNewVolume()
                .withName("config")
                .withNewProjected()
                .withSources(configSources(name))
                .endProjected()
                .endVolume()
                .addNewVolume()
                .withName("sasl")
                .withNewSecret()
                .withSecretName(RelayObjects.saslSecretName(name))
                .withOptional(true)
                .withDefaultMode(0400)
                .endSecret()
                .endVolume()
                .endSpec()
                .endTemplate()
                .withVolumeClaimTemplates(queueClaim(spec.storage))
                .endSpec()
                .build();
    }

    /**
     * The relay's ConfigMap and every shard ConfigMap it may have ({@link RelayConfigLayout},
     * optional: most relays have none), in one directory. The list is fixed, so a configuration
     * growing into shards needs no pod restart.
     */
    static List<VolumeProjection> configSources(String relay) {
        List<VolumeProjection> sources = new ArrayList<>();
        sources.add(
                new VolumeProjectionBuilder()
                        .withNewConfigMap()
                        .withName(RelayObjects.configMapName(relay))
                        .endConfigMap()
                        .build());
        for (int n = 1; n <= RelayConfigLayout.MAX_SHARDS; n++) {
            sources.add(
                    new VolumeProjectionBuilder()
                            .withNewConfigMap()
                            .withName(RelayObjects.configShardName(relay, n))
                            .withOptional(true)
                            .endConfigMap()
                            .build());
        }
        return sources;
    }

    private static PersistentVolumeClaim queueClaim(RelayStorage storage) {
        String size = storage == null || storage.size == null ? Defaults.QUEUE_SIZE : storage.size;
        return new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName("queue")
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withStorageClassName(storage == null ? null : storage.storageClassName)
                .withNewResources()
                .addToRequests("storage", new Quantity(size))
                .endResources()
                .endSpec()
                .build();
    }

    /**
     * The Postfix master must start as root (it binds port 25 and switches every daemon to user
     * postfix), so the container keeps only the capabilities Postfix needs and can never gain more
     * (tested by RelayCapabilitiesTest).
     */
    private static SecurityContext securityContext() {
        return new SecurityContextBuilder()
                .withRunAsUser(0L)
                .withRunAsNonRoot(false)
                .withAllowPrivilegeEscalation(false)
                .withNewCapabilities()
                .withDrop("ALL")
                .withAdd(
                        "CHOWN",
                        "DAC_OVERRIDE",
                        "FOWNER",
                        "SETUID",
                        "SETGID",
                        "NET_BIND_SERVICE",
                        "KILL")
                .endCapabilities()
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .build();
    }

    private static ResourceRequirements resources(ResourceRequirements requested) {
        if (requested != null) {
            return requested;
        }
        return new ResourceRequirementsBuilder()
                .withRequests(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("128Mi")))
                .withLimits(Map.of("memory", new Quantity("512Mi")))
                .build();
    }
}
