package io.mailroute.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.mailroute.api.v1alpha1.DomainResolution;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.MailRouteSpec;
import io.mailroute.api.v1alpha1.MxTarget;
import io.mailroute.api.v1alpha1.RouteTarget;
import io.mailroute.dns.fixtures.Behaviours;
import io.mailroute.dns.fixtures.FaultDnsServer;
import io.mailroute.dns.fixtures.StaticZone;
import io.mailroute.testing.OperatorConfigs;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What {@link DnsValidation} counts for the operator's metrics: every MX check by result and every
 * query by type, rcode, transport and whether the cache answered it, and every check's duration.
 */
class DnsValidationMetricsTest {

    static final StaticZone ZONE =
            StaticZone.parse(
                    "metrics.test",
                    """
      @        SOA  ns.metrics.test. hostmaster.metrics.test. 1 3600 600 86400 60
      mx  120  A    192.0.2.1
      mx  120  AAAA 2001:db8::1
      d0  300  MX   10 mx
      d1  300  MX   10 mx
      d2  300  MX   10 mx
      """);

    private final MeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void checksAndQueriesAreCountedByTheirTags() throws InterruptedException {
        try (FaultDnsServer server = FaultDnsServer.start(Behaviours.serve(ZONE), true)) {
            DnsValidation validation = new DnsValidation(config(server.address()), registry);
            try {
                Instant now = Instant.now();
                DomainResolution first = resolved(validation, route("r0", "d0.metrics.test"), now);
                assertThat(first.reason).isEqualTo("Resolved");
                assertThat(first.message).isEqualTo("1 MX host(s) resolved");
                assertThat(first.pinned).containsExactly("mx.metrics.test");
                // the host's answers are cached now: the next two checks ask only for MX
                resolved(validation, route("r1", "d1.metrics.test"), now);
                resolved(validation, route("r2", "d2.metrics.test"), now);

                assertThat(checks("OK")).isEqualTo(3);
                assertThat(lookups("MX", "NOERROR", "UDP", false)).isEqualTo(3);
                assertThat(lookups("A", "NOERROR", "UDP", false)).isEqualTo(1);
                assertThat(lookups("AAAA", "NOERROR", "UDP", false)).isEqualTo(1);
                assertThat(
                                lookups("A", "NOERROR", "UDP", true)
                                        + lookups("AAAA", "NOERROR", "UDP", true))
                        .isEqualTo(4);
                assertThat(registry.get("mailroute.dns.check.duration").timer().count())
                        .isEqualTo(3);
            } finally {
                validation.close();
            }
        }
    }

    private static DomainResolution resolved(
            DnsValidation validation, MailRoute route, Instant now) {
        validation.refresh(route, null, now);
        DomainResolution[] found = new DomainResolution[1];
        await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> {
                            List<DomainResolution> r =
                                    validation.refresh(route, null, now).resolutions();
                            found[0] = r.isEmpty() ? null : r.get(0);
                            return found[0] != null;
                        });
        return found[0];
    }

    private double checks(String result) {
        return registry.get("mailroute.dns.mx.checks").tag("result", result).counter().count();
    }

    private double lookups(String type, String rcode, String transport, boolean cached) {
        var counter =
                registry.find("mailroute.dns.lookups")
                        .tag("type", type)
                        .tag("rcode", rcode)
                        .tag("transport", transport)
                        .tag("cached", String.valueOf(cached))
                        .counter();
        return counter == null ? 0 : counter.count();
    }

    private static MailRoute route(String name, String domain) {
        MailRoute route = new MailRoute();
        route.setMetadata(
                new ObjectMetaBuilder()
                        .withName(name)
                        .withNamespace("ns")
                        .withGeneration(1L)
                        .build());
        MailRouteSpec spec = new MailRouteSpec();
        spec.domains = List.of(domain);
        spec.target = new RouteTarget();
        spec.target.mx = new MxTarget();
        route.setSpec(spec);
        return route;
    }

    static OperatorConfig config(String server) {
        return OperatorConfigs.dnsChecks(server, 4);
    }
}
