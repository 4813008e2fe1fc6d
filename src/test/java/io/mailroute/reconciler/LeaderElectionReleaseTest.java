package io.mailroute.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mailroute.testing.ControlPlane;
import io.mailroute.testing.RealComponents;
import io.mailroute.testing.TestNamespace;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Lease release on a graceful stop (LeaderElection#release), on the real API server: only the
 * holder releases, the released record is what Fabric8's elector treats as free (empty holder), and
 * the release runs only while the JVM shuts down.
 */
@RealComponents
class LeaderElectionReleaseTest {

    @Test
    void theHolderReleasesItsLeaseAndNobodyElseDoes() {
        KubernetesClient client = ControlPlane.get().client();
        try (TestNamespace ns = TestNamespace.create(client)) {
            ZonedDateTime renewed = ZonedDateTime.now(ZoneOffset.UTC).minusSeconds(3).withNano(0);
            client.leases()
                    .inNamespace(ns.name())
                    .resource(
                            new LeaseBuilder()
                                    .withNewMetadata()
                                    .withName("op")
                                    .endMetadata()
                                    .withNewSpec()
                                    .withHolderIdentity("pod-a")
                                    .withLeaseDurationSeconds(15)
                                    .withAcquireTime(renewed)
                                    .withRenewTime(renewed)
                                    .withLeaseTransitions(2)
                                    .endSpec()
                                    .build())
                    .create();

            assertThat(LeaderElection.release(client, ns.name(), "op", "pod-b"))
                    .as("not the holder")
                    .isFalse();
            assertThat(lease(client, ns.name()).getSpec().getHolderIdentity()).isEqualTo("pod-a");
            assertThat(LeaderElection.release(client, ns.name(), "missing", "pod-a"))
                    .as("no such Lease")
                    .isFalse();

            assertThat(LeaderElection.release(client, ns.name(), "op", "pod-a")).isTrue();
            Lease released = lease(client, ns.name());
            assertThat(released.getSpec().getHolderIdentity()).isNullOrEmpty();
            assertThat(released.getSpec().getLeaseDurationSeconds()).isEqualTo(1);
            assertThat(released.getSpec().getRenewTime()).isAfter(renewed);
            assertThat(released.getSpec().getLeaseTransitions()).isEqualTo(2);
            assertThat(LeaderElection.release(client, ns.name(), "op", "pod-a"))
                    .as("released already")
                    .isFalse();
        }
    }

    @Test
    void theLeaseIsReleasedOnlyDuringShutdown() {
        List<String> released = new ArrayList<>();
        // onStopLeading itself also starts the exit thread (System.exit), so only its release
        // decision runs here
        assertThat(LeaderElection.shuttingDown()).isFalse();
        LeaderElection.releaseIfShuttingDown(() -> true, () -> released.add("shutdown"));
        LeaderElection.releaseIfShuttingDown(() -> false, () -> released.add("running"));
        assertThat(released).containsExactly("shutdown");
    }

    private static Lease lease(KubernetesClient client, String namespace) {
        return client.leases().inNamespace(namespace).withName("op").get();
    }
}
