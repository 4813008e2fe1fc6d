package io.mailroute.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewSpecBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRelaySpec;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.dependent.RelayDisruptionBudgetDependent;
import io.mailroute.dependent.RelayServiceDependent;
import io.mailroute.dependent.RelayStatefulSetDependent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Builds the JSON readers and writers of the resources the operator lists and writes, on a thread
 * of its own, while the rest of the application starts. Why: Jackson builds a reader (deserializer)
 * or a writer (serializer) per type on its first use, introspecting every model class the type
 * reaches (a StatefulSet, a Pod or a Job reaches the whole pod template).
 *
 * <ul>
 *   <li>Readers: without this, they were built on the Vert.x event loops as the informers' first
 *       list answers came in, about a third of the event loops' CPU before the operator was ready
 *       (JFR of three starts, 2026-12-01), while the main thread only waited for the informers to
 *       sync and the second core was mostly idle during the main thread's boot.
 *   <li>Writers: the first reconcile of a relay turns its desired and its live StatefulSet into
 *       maps to compare them (the operator SDK's server-side-apply matcher), and building those
 *       writers was a third of that reconcile (async-profiler, 2026-12-02). The objects converted
 *       here are what the dependents build for a made-up relay, plus the fields only a live object
 *       has (status, managed fields), so that the writers of both sides exist.
 * </ul>
 *
 * <p>Nothing waits for it and nothing depends on it: a type not built yet is built on first use as
 * before, and two threads asking for the same type get one reader or writer (Jackson's caches). The
 * lists may lag behind the dependents without harm; they only name what is worth building early.
 */
@ApplicationScoped
class JsonWarmup {
    private static final Logger LOG = Logger.getLogger(JsonWarmup.class);

    /**
     * The resources the informers list and watch (MailRelayReconciler and its dependents), what the
     * leader election reads (its Lease, and the review of its access to Leases that the operator
     * SDK asks for first), and the Status the API server answers errors with. Not Namespace: it is
     * read only for a relay that admits routes by namespace labels.
     */
    static final List<Class<?>> LISTED =
            List.of(
                    StatefulSet.class,
                    Pod.class,
                    Job.class,
                    MailRelay.class,
                    MailRoute.class,
                    ConfigMap.class,
                    Secret.class,
                    Service.class,
                    PodDisruptionBudget.class,
                    PersistentVolumeClaim.class,
                    Lease.class,
                    SelfSubjectRulesReview.class,
                    Status.class);

    /** Before the operator starts (the operator SDK's own observer has the default priority). */
    void onStart(@Observes @Priority(1) StartupEvent event, KubernetesClient client) {
        KubernetesSerialization serialization = client.getKubernetesSerialization();
        Thread thread =
                new Thread(
                        () -> {
                            warm(serialization);
                            warmWriters(serialization);
                        },
                        "mailroute-json-warmup");
        thread.setDaemon(true);
        thread.start();
    }

    /** Reads an empty object of every listed type, which builds its reader and those it uses. */
    static void warm(KubernetesSerialization serialization) {
        for (Class<?> type : LISTED) {
            try {
                serialization.unmarshal("{}", type);
            } catch (RuntimeException e) {
                LOG.debugf("building the JSON reader of %s early failed: %s", type.getName(), e);
            }
        }
    }

    /**
     * Turns into maps what the server-side-apply matcher turns into maps in a relay's first
     * reconcile, which builds the writers it needs.
     */
    static void warmWriters(KubernetesSerialization serialization) {
        for (Object object : written()) {
            try {
                serialization.convertValue(object, Map.class);
            } catch (RuntimeException e) {
                LOG.debugf(
                        "building the JSON writer of %s early failed: %s",
                        object.getClass().getName(), e);
            }
        }
    }

    /**
     * The desired objects of a made-up relay that the dependents' matchers compare (server-side
     * apply's for the StatefulSet and the PodDisruptionBudget, the generic one for the Service),
     * its StatefulSet as the API server would answer it (the matcher converts both), and what the
     * leader election sends.
     */
    static List<HasMetadata> written() {
        MailRelay relay = new MailRelay();
        relay.setMetadata(
                new ObjectMetaBuilder()
                        .withName("warmup")
                        .withNamespace("warmup")
                        .withUid("00000000-0000-0000-0000-000000000000")
                        .build());
        MailRelaySpec spec = new MailRelaySpec();
        spec.hostname = "relay.warmup.invalid";
        relay.setSpec(spec);
        StatefulSet desired = RelayStatefulSetDependent.statefulSet(relay, "warmup");
        StatefulSet live =
                new StatefulSetBuilder(desired)
                        .editMetadata()
                        .withResourceVersion("1")
                        .withGeneration(1L)
                        .withCreationTimestamp("2026-01-01T00:00:00Z")
                        .addNewManagedField()
                        .withApiVersion("apps/v1")
                        .withFieldsType("FieldsV1")
                        .withNewFieldsV1()
                        .addToAdditionalProperties("f:spec", Map.of("f:replicas", Map.of()))
                        .endFieldsV1()
                        .withManager("mailrelay")
                        .withOperation("Apply")
                        .withTime("2026-01-01T00:00:00Z")
                        .endManagedField()
                        .endMetadata()
                        .withNewStatus()
                        .withReplicas(1)
                        .withReadyReplicas(1)
                        .withObservedGeneration(1L)
                        .withCurrentRevision("warmup-1")
                        .addNewCondition()
                        .withType("Available")
                        .withStatus("True")
                        .endCondition()
                        .endStatus()
                        .build();
        // the leader election writes these before the first reconcile (the operator SDK's check of
        // its access to Leases, then the Lease)
        SelfSubjectRulesReview review = new SelfSubjectRulesReview();
        review.setSpec(new SelfSubjectRulesReviewSpecBuilder().withNamespace("warmup").build());
        Lease lease =
                new LeaseBuilder()
                        .withNewMetadata()
                        .withName("warmup")
                        .withNamespace("warmup")
                        .endMetadata()
                        .withNewSpec()
                        .withHolderIdentity("warmup")
                        .withLeaseDurationSeconds(15)
                        .withAcquireTime(ZonedDateTime.now(ZoneOffset.UTC))
                        .withRenewTime(ZonedDateTime.now(ZoneOffset.UTC))
                        .withLeaseTransitions(0)
                        .endSpec()
                        .build();
        return List.of(
                desired,
                live,
                RelayServiceDependent.service(relay),
                RelayDisruptionBudgetDependent.budget(relay),
                review,
                lease);
    }
}
