package io.mailroute.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRoute;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Builds the JSON readers of the resources the operator's informers list at start, on a thread of
 * its own, while the rest of the application starts. Why: Jackson builds a reader (deserializer)
 * per type on its first use, introspecting every model class the type reaches (a StatefulSet, a Pod
 * or a Job reaches the whole pod template). Without this, that happened on the Vert.x event loops
 * as the informers' first list answers came in: about a third of the event loops' CPU before the
 * operator was ready (JFR of three starts, 2026-12-01), while the main thread only waited for the
 * informers to sync and the second core was mostly idle during the main thread's boot.
 *
 * <p>Nothing waits for it and nothing depends on it: a type not built yet is built on first use as
 * before, and two threads asking for the same type get one reader (Jackson's deserializer cache).
 * The list may lag behind the informers without harm; it only names what is worth building early.
 */
@ApplicationScoped
class JsonReaderWarmup {
    private static final Logger LOG = Logger.getLogger(JsonReaderWarmup.class);

    /**
     * The resources the informers list and watch (MailRelayReconciler and its dependents), and the
     * leader election's Lease. Not Namespace: it is read only for a relay that admits routes by
     * namespace labels.
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
                    Lease.class);

    /** Before the operator starts (the operator SDK's own observer has the default priority). */
    void onStart(@Observes @Priority(1) StartupEvent event, KubernetesClient client) {
        KubernetesSerialization serialization = client.getKubernetesSerialization();
        Thread thread = new Thread(() -> warm(serialization), "mailroute-json-warmup");
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
}
