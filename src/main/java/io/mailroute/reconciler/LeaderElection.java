package io.mailroute.reconciler;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.Optional;

/**
 * Leader election through a coordination.k8s.io Lease, so several operator replicas are safe: only the leader
 * reconciles. Active in the prod profile (quarkus.operator-sdk.activate-leader-election-for-profiles).
 *
 * <p>A replica that loses the Lease while running must exit, so that it restarts as a follower and never acts on a
 * stale view. The SDK's own exit-on-stop-leading calls {@code System.exit} on the thread that stops leading; on
 * SIGTERM that is the JVM's shutdown thread, and {@code System.exit} from a shutdown hook blocks forever (the pod
 * then always ends in SIGKILL after its grace period). So the SDK's exit is off and {@link #onStopLeading} exits from
 * a thread of its own: outside shutdown the JVM exits with status 1; during shutdown that thread just waits and the
 * shutdown completes.
 */
@ApplicationScoped
public class LeaderElection {
    private static final Logger LOG = Logger.getLogger(LeaderElection.class);

    @Produces
    @Singleton
    LeaderElectionConfiguration leaderElection(
            @ConfigProperty(name = "mailroute.leader-election.lease-name", defaultValue = "mailroute-operator")
            String leaseName,
            @ConfigProperty(name = "mailroute.leader-election.namespace") Optional<String> namespace) {
        // Without a namespace the Lease goes to the namespace of the operator's service account (in a pod).
        LeaderCallbacks callbacks = new LeaderCallbacks(() -> { }, LeaderElection::onStopLeading, leader -> { });
        return new LeaderElectionConfiguration(leaseName, namespace.orElse(null),
                LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
                LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
                LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE, null, callbacks, false);
    }

    static void onStopLeading() {
        Thread exit = new Thread(() -> {
            LOG.info("Stopped leading: exiting so that this replica restarts as a follower");
            System.exit(1);
        }, "mailroute-stop-leading-exit");
        exit.setDaemon(true);
        exit.start();
    }
}
