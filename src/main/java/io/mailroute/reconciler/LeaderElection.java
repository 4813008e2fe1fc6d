package io.mailroute.reconciler;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;

/**
 * Leader election through a coordination.k8s.io Lease, so several operator replicas are safe: only the leader
 * reconciles. Active in the prod profile (quarkus.operator-sdk.activate-leader-election-for-profiles).
 */
@ApplicationScoped
public class LeaderElection {

    @Produces
    @Singleton
    LeaderElectionConfiguration leaderElection(
            @ConfigProperty(name = "mailroute.leader-election.lease-name", defaultValue = "mailroute-operator")
            String leaseName,
            @ConfigProperty(name = "mailroute.leader-election.namespace") Optional<String> namespace) {
        // Without a namespace the Lease goes to the namespace of the operator's service account (in a pod).
        return namespace.map(ns -> new LeaderElectionConfiguration(leaseName, ns))
                .orElseGet(() -> new LeaderElectionConfiguration(leaseName));
    }
}
