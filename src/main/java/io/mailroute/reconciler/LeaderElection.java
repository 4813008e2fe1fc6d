package io.mailroute.reconciler;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Leader election through a coordination.k8s.io Lease, so several operator replicas are safe: only
 * the leader reconciles. Active in the prod profile
 * (quarkus.operator-sdk.activate-leader-election-for-profiles).
 *
 * <p>A replica that loses the Lease while running must exit, so that it restarts as a follower and
 * never acts on a stale view. The SDK's own exit-on-stop-leading calls {@code System.exit} on the
 * thread that stops leading; on SIGTERM that is the JVM's shutdown thread, and {@code System.exit}
 * from a shutdown hook blocks forever (the pod then always ends in SIGKILL after its grace period).
 * So the SDK's exit is off and {@link #onStopLeading} exits from a thread of its own: outside
 * shutdown the JVM exits with status 1; during shutdown that thread just waits and the shutdown
 * completes.
 *
 * <p>On a graceful stop (SIGTERM: a pod deleted, a rolling update) the leader releases its Lease,
 * so that another replica takes over within one retry period (2 s) instead of waiting for the Lease
 * to expire (15 s since the last renewal). The SDK builds Fabric8's elector with {@code
 * releaseOnCancel=false}, so the release is done here: the SDK stops leading only after its
 * controllers and reconcile threads have stopped ({@code Operator.stop}), which makes the release
 * safe. Outside shutdown (a renewal failed) the Lease is never released: this replica's reconcilers
 * may still run until the JVM is down.
 */
@ApplicationScoped
public class LeaderElection {
    private static final Logger LOG = Logger.getLogger(LeaderElection.class);

    @Inject KubernetesClient client;

    @Produces
    @Singleton
    LeaderElectionConfiguration leaderElection(
            @ConfigProperty(
                            name = "mailroute.leader-election.lease-name",
                            defaultValue = "mailroute-operator")
                    String leaseName,
            @ConfigProperty(name = "mailroute.leader-election.namespace")
                    Optional<String> namespace) {
        // As the SDK does without an identity: the pod name, else a random one.
        String hostname = System.getenv("HOSTNAME");
        String identity =
                hostname == null || hostname.isBlank() ? UUID.randomUUID().toString() : hostname;
        // Without a namespace the Lease goes to the namespace of the operator's service account (in
        // a pod).
        LeaderCallbacks callbacks =
                new LeaderCallbacks(
                        () -> {},
                        () ->
                                onStopLeading(
                                        LeaderElection::shuttingDown,
                                        () ->
                                                release(
                                                        client,
                                                        namespace.orElseGet(client::getNamespace),
                                                        leaseName,
                                                        identity)),
                        leader -> {});
        return new LeaderElectionConfiguration(
                leaseName,
                namespace.orElse(null),
                LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
                LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
                LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
                identity,
                callbacks,
                false);
    }

    static void onStopLeading(BooleanSupplier shuttingDown, Runnable release) {
        releaseIfShuttingDown(shuttingDown, release);
        Thread exit =
                new Thread(
                        () -> {
                            LOG.info(
                                    "Stopped leading: exiting so that this replica restarts as a follower");
                            System.exit(1);
                        },
                        "mailroute-stop-leading-exit");
        exit.setDaemon(true);
        exit.start();
    }

    static void releaseIfShuttingDown(BooleanSupplier shuttingDown, Runnable release) {
        if (shuttingDown.getAsBoolean()) {
            release.run();
        }
    }

    /**
     * Gives up the Lease if this replica still holds it, as Fabric8's own release does: no holder,
     * a 1 s duration. The update carries the Lease's resourceVersion, so it fails (409) rather than
     * overwrite another replica that took the Lease meanwhile. Returns whether the Lease was
     * released; failures are logged, never thrown (the Lease then simply expires).
     */
    static boolean release(
            KubernetesClient client, String namespace, String leaseName, String identity) {
        for (int attempt = 1; ; attempt++) {
            try {
                Lease lease = client.leases().inNamespace(namespace).withName(leaseName).get();
                if (lease == null
                        || lease.getSpec() == null
                        || !identity.equals(lease.getSpec().getHolderIdentity())) {
                    LOG.infof(
                            "Leader Lease %s/%s not released on shutdown: held by '%s', not by %s",
                            namespace,
                            leaseName,
                            lease == null || lease.getSpec() == null
                                    ? null
                                    : lease.getSpec().getHolderIdentity(),
                            identity);
                    return false;
                }
                ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
                lease.getSpec().setHolderIdentity("");
                lease.getSpec().setLeaseDurationSeconds(1);
                lease.getSpec().setAcquireTime(now);
                lease.getSpec().setRenewTime(now);
                client.leases().inNamespace(namespace).resource(lease).update();
                LOG.infof("Released the leader Lease %s/%s on shutdown", namespace, leaseName);
                return true;
            } catch (KubernetesClientException e) {
                // 409: a renewal still in flight changed the Lease between the read and the write;
                // read it again
                if (e.getCode() != 409 || attempt >= 3) {
                    LOG.warnf(
                            "Could not release the leader Lease %s/%s on shutdown (it expires by itself): %s",
                            namespace, leaseName, e.getMessage());
                    return false;
                }
            }
        }
    }

    /** True while the JVM runs its shutdown hooks (SIGTERM, System.exit). */
    static boolean shuttingDown() {
        Thread probe = new Thread(() -> {});
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
