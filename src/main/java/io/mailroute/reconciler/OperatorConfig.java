package io.mailroute.reconciler;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Operator settings ({@code mailroute.*} in application.properties or MAILROUTE_* environment
 * variables).
 */
@ConfigMapping(prefix = "mailroute")
public interface OperatorConfig {
    /** Relay settings. */
    Relay relay();

    /** Resolvers used for live validation. */
    Dns dns();

    /** Revalidation timing. */
    Validation validation();

    /**
     * How often relay pods are asked for delivery summaries, and how often routes see new counts.
     */
    Delivery delivery();

    /** Delivery reporting settings. */
    interface Delivery {
        /**
         * How often the MailRelay controller asks each ready relay pod for its delivery summary
         * (GET /delivery).
         */
        @WithDefault("30s")
        Duration pollInterval();

        /**
         * Shortest interval between two updates of the delivery counts routes show in status; a
         * change of a domain's health or of its last result is shown at once.
         */
        @WithDefault("60s")
        Duration publishInterval();
    }

    /** DNS resolver settings. */
    interface Dns {
        /** Resolvers as ip[:port]; when absent, the nameservers of the pod's /etc/resolv.conf. */
        Optional<List<String>> servers();

        /** Timeout of one query. */
        @WithDefault("2s")
        Duration queryTimeout();

        /** Overall deadline of one check. */
        @WithDefault("10s")
        Duration deadline();

        /**
         * Domain checks in flight at once (more wait in line); they are asynchronous, hold no
         * thread while awaiting answers and are never waited for on reconcile threads. 128: as many
         * as the engine lets onto the wire per resolver anyway (4 sockets, 32 queries each), so the
         * resolver sees no more than before; at 32, each check's own latency (a few thread wake-ups
         * on a busy node) bounded the answers per second (10,000 domains against a local knot on 2
         * cores: 0.23 s at 32, 0.19 s at 128, with less CPU; docs/benchmarks.md).
         */
        @WithDefault("128")
        int concurrentChecks();
    }

    /** Revalidation settings. */
    interface Validation {
        /** Shortest interval between checks of a domain (TTL clamp). */
        @WithDefault("60s")
        Duration minRecheck();

        /** Longest interval between checks of a domain (TTL clamp). */
        @WithDefault("1h")
        Duration maxRecheck();

        /** First retry delay after a temporary DNS failure; doubles per failure. */
        @WithDefault("30s")
        Duration tempFailBackoff();

        /**
         * Consecutive definite failures (NXDOMAIN, null MX, missing host) before rendering changes.
         */
        @WithDefault("3")
        int hardFailureThreshold();
    }

    /** Relay defaults. */
    interface Relay {
        /** Image of the Postfix relay when a MailRelay does not name one. */
        @WithDefault("mailroute/postfix-relay:0.1.0")
        String image();
    }
}
