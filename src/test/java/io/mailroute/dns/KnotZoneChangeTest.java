package io.mailroute.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.dns.fixtures.KnotServer;
import io.mailroute.dns.fixtures.MutableClock;
import io.mailroute.testing.RealComponents;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The cache honours TTLs: a changed zone is seen exactly when the cached answers expire. */
@RealComponents
class KnotZoneChangeTest {

    private static final String HEAD =
            """
      $ORIGIN change.test.
      $TTL 300
      @    SOA   ns.change.test. hostmaster.change.test. %d 3600 600 86400 60
      @    NS    ns
      ns   A     127.0.0.1
      mx1  A     192.0.2.41
      mx2  A     192.0.2.42
      """;

    private KnotServer knot;
    private MutableClock clock;
    private MxLookupService service;

    @BeforeEach
    void start() throws Exception {
        knot = KnotServer.start();
        clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        service = new MxLookupService(TestConfigs.answering(knot.address()), clock);
    }

    @AfterEach
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        if (knot != null) {
            knot.close();
        }
    }

    @Test
    void changedMxIsSeenOnlyAfterTheTtlExpires() throws Exception {
        MxReport before = service.check("change.test");
        assertThat(before.mxSet()).isEqualTo(MxSet.empty().with(10, "mx1.change.test"));
        assertThat(before.minTtlSeconds()).as("mx1 has no AAAA: negative TTL 60").isEqualTo(60);

        knot.replaceZone("change.test", HEAD.formatted(2) + "@ MX 10 mx2\n", 2);
        clock.advance(Duration.ofSeconds(299));
        MxReport cached = service.check("change.test");
        assertThat(cached.mxSet()).as("within the TTL").isEqualTo(before.mxSet());
        assertThat(cached.minTtlSeconds()).isEqualTo(1);
        assertThat(cached.resolvers().get(0).queries().get(0))
                .satisfies(mx -> assertThat(mx.type()).isEqualTo("MX"))
                .satisfies(mx -> assertThat(mx.cached()).isTrue());

        clock.advance(Duration.ofSeconds(1));
        MxReport fresh = service.check("change.test");
        assertThat(fresh.mxSet()).isEqualTo(MxSet.empty().with(10, "mx2.change.test"));
        assertThat(fresh.hosts().get(0).addresses()).containsExactly("192.0.2.42");
        assertThat(fresh.resolvers().get(0).queries()).noneMatch(QueryTrace::cached);
    }

    @Test
    void reValidationWithinTheTtlSendsNothingAndReportsTheRemainingTtl() throws Exception {
        MxReport first = service.check("change.test");
        long sent = service.queriesSent();

        clock.advance(Duration.ofSeconds(20));
        MxReport again = service.check("change.test");
        MxReport third = service.check("change.test"); // served from finished results

        for (MxReport r : List.of(again, third)) {
            assertThat(r.mxSet()).isEqualTo(first.mxSet());
            assertThat(r.hosts()).isEqualTo(first.hosts());
            assertThat(r.minTtlSeconds()).as("60 s negative TTL, 20 s later").isEqualTo(40);
            assertThat(r.resolvers().get(0).queries()).hasSize(3).allMatch(QueryTrace::cached);
        }
        assertThat(service.queriesSent()).isEqualTo(sent);
    }

    @Test
    void aKeptHostResultEndsWithItsFirstAnswer() throws Exception {
        service.check("change.test");
        service.check("change.test"); // now mx1's A and AAAA results are kept, and its host result
        long sent = service.queriesSent();

        clock.advance(Duration.ofSeconds(59));
        assertThat(service.check("change.test").hosts().get(0).addresses())
                .containsExactly("192.0.2.41");
        assertThat(service.queriesSent()).isEqualTo(sent);

        clock.advance(Duration.ofSeconds(1)); // mx1's AAAA NODATA (60 s) expired, its A (300 s) not
        MxReport later = service.check("change.test");
        assertThat(service.queriesSent()).as("only AAAA asked again").isEqualTo(sent + 1);
        assertThat(later.resolvers().get(0).queries())
                .filteredOn(q -> !q.cached())
                .extracting(QueryTrace::type)
                .containsExactly("AAAA");
        assertThat(later.minTtlSeconds()).isEqualTo(60);
    }

    @Test
    void negativeAnswersAreCachedForTheSoaNegativeTtl() throws Exception {
        MxReport missing = service.check("new.change.test");
        assertThat(missing.classification()).isEqualTo(MxClassification.NXDOMAIN);
        assertThat(missing.minTtlSeconds()).as("min(SOA TTL, SOA minimum)").isEqualTo(60);

        knot.replaceZone("change.test", HEAD.formatted(3) + "@ MX 10 mx1\nnew MX 10 mx2\n", 3);
        clock.advance(Duration.ofSeconds(59));
        assertThat(service.check("new.change.test").classification())
                .isEqualTo(MxClassification.NXDOMAIN);

        clock.advance(Duration.ofSeconds(1));
        MxReport appeared = service.check("new.change.test");
        assertThat(appeared.classification()).isEqualTo(MxClassification.OK);
        assertThat(appeared.mxSet().hostNames()).containsExactly("mx2.change.test");
    }

    @Test
    void clearCacheForcesAFreshLookup() throws Exception {
        service.check("change.test");
        knot.replaceZone("change.test", HEAD.formatted(4) + "@ MX 20 mx2\n", 4);

        service.clearCache();

        assertThat(service.check("change.test").mxSet())
                .isEqualTo(MxSet.empty().with(20, "mx2.change.test"));
    }

    @Test
    void cacheTtlIsClampedToTheConfiguredMaximum() throws Exception {
        DnsResolverConfig clamped =
                TestConfigs.answering(knot.address())
                        .withCacheTtlClamp(Duration.ZERO, Duration.ofSeconds(30));
        try (MxLookupService short30 = new MxLookupService(clamped, clock)) {
            assertThat(short30.check("change.test").minTtlSeconds()).isEqualTo(30);
            knot.replaceZone("change.test", HEAD.formatted(5) + "@ MX 10 mx2\n", 5);

            clock.advance(Duration.ofSeconds(30));

            assertThat(short30.check("change.test").mxSet().hostNames())
                    .containsExactly("mx2.change.test");
        }
    }
}
