package io.mailroute.testing;

import io.mailroute.dns.fixtures.KnotServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Gives the operator under test a real authoritative DNS server (Debian's knot on loopback, zones
 * from src/test/resources/dns) as its only resolver, with fast revalidation so tests can watch
 * changes.
 */
public class KnotResource implements QuarkusTestResourceLifecycleManager {
    private static KnotServer server;

    /** The running server, for tests that change zones or simulate outages. */
    public static synchronized KnotServer server() {
        if (server == null) {
            try {
                server = KnotServer.start();
                KnotServer started = server;
                Runtime.getRuntime()
                        .addShutdownHook(
                                new Thread(
                                        () -> {
                                            try {
                                                started.close();
                                            } catch (Exception e) {
                                                // the JVM is exiting; knotd is killed by its own
                                                // hook
                                            }
                                        }));
            } catch (Exception e) {
                throw new IllegalStateException("cannot start knotd for the operator tests", e);
            }
        }
        return server;
    }

    @Override
    public Map<String, String> start() {
        return Map.of(
                "mailroute.dns.servers", server().address(),
                "mailroute.dns.query-timeout", "300ms",
                "mailroute.dns.deadline", "2s",
                "mailroute.validation.min-recheck", "2s",
                "mailroute.validation.max-recheck", "5s",
                "mailroute.validation.temp-fail-backoff", "1s",
                "mailroute.validation.hard-failure-threshold", "2");
    }

    @Override
    public void stop() {
        // Stopped (and its directory removed) when the JVM exits: other test classes may still use
        // it.
    }
}
