package io.mailroute.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.dns.fixtures.Behaviours;
import io.mailroute.dns.fixtures.FaultDnsServer;
import io.mailroute.dns.fixtures.MutableClock;
import io.mailroute.dns.fixtures.StaticZone;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * What the engine shares between checks: identical questions on the wire at the same time are sent
 * once, answers are reused from the cache until their TTL, and the wire counter says how many
 * messages were really sent.
 */
class EngineSharingTest {

    static final StaticZone ZONE =
            StaticZone.parse(
                    "share.test",
                    """
      @        SOA  ns.share.test. hostmaster.share.test. 1 3600 600 86400 60
      @        MX   10 mx
      mx  120  A    192.0.2.1
      mx  120  AAAA 2001:db8::1
      d0  300  MX   10 mx
      d1  300  MX   10 mx
      d2  300  MX   10 mx
      d3  300  MX   10 mx
      d4  300  MX   10 mx
      """);

    /** Answers from ZONE, but holds the first occurrence of each question for a while. */
    private static FaultDnsServer.Behaviour slowFirstAnswers(Duration hold) {
        Set<String> seen = new HashSet<>();
        return (query, tcp) -> {
            if (seen.add(query.getQuestion().getName() + "/" + query.getQuestion().getType())) {
                try {
                    Thread.sleep(hold.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return ZONE.answer(query);
        };
    }

    @Test
    void identicalQuestionsInFlightAreSentOnce() throws Exception {
        // no cache at all: only coalescing can keep the 50 checks from asking 50 times
        DnsResolverConfig noCache =
                TestConfigs.answering("127.0.0.1:9")
                        .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(20))
                        .withCacheTtlClamp(Duration.ZERO, Duration.ZERO);
        try (FaultDnsServer server =
                        FaultDnsServer.start(slowFirstAnswers(Duration.ofMillis(800)), true);
                MxLookupService service =
                        new MxLookupService(withServer(noCache, server.address()))) {
            List<CompletableFuture<MxReport>> checks = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                checks.add(service.checkAsync("share.test"));
            }

            for (CompletableFuture<MxReport> check : checks) {
                MxReport report = check.get();
                assertThat(report.classification()).isEqualTo(MxClassification.OK);
                assertThat(report.hosts())
                        .singleElement()
                        .extracting(MxHostReport::addresses)
                        .isEqualTo(List.of("192.0.2.1", "2001:db8::1"));
            }
            assertThat(server.received())
                    .extracting(r -> r.type() + " " + r.name())
                    .containsExactlyInAnyOrder(
                            "MX share.test", "A mx.share.test", "AAAA mx.share.test");
            assertThat(service.queriesSent()).isEqualTo(3);
            assertThat(service.stats().coalescedQuestions()).isEqualTo(3 * 49);
        }
    }

    @Test
    void revalidationBeforeTheTtlSendsNoQueryAndAfterItAsksAgain() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        try (FaultDnsServer server = FaultDnsServer.start(Behaviours.serve(ZONE), true);
                MxLookupService service =
                        new MxLookupService(TestConfigs.answering(server.address()), clock)) {
            List<String> domains =
                    List.of(
                            "d0.share.test",
                            "d1.share.test",
                            "d2.share.test",
                            "d3.share.test",
                            "d4.share.test");
            domains.forEach(service::check);
            long first = service.queriesSent();
            assertThat(first)
                    .as("5 MX, and A and AAAA of the one MX host")
                    .isEqualTo(7)
                    .isEqualTo(server.received().size());

            clock.advance(Duration.ofSeconds(119));
            for (String domain : domains) {
                assertThat(service.check(domain).classification()).isEqualTo(MxClassification.OK);
            }
            assertThat(service.queriesSent()).as("all answers still fresh").isEqualTo(first);
            assertThat(server.received()).hasSize(7);

            clock.advance(Duration.ofSeconds(1)); // the host's A/AAAA (TTL 120) expire, MX do not
            domains.forEach(service::check);
            assertThat(service.queriesSent()).isEqualTo(first + 2);
            assertThat(server.received()).hasSize(9);
        }
    }

    @Test
    void failedAnswersAreNotSharedThroughTheCache() throws Exception {
        try (FaultDnsServer server =
                        FaultDnsServer.start(
                                Behaviours.servfailFor(org.xbill.DNS.Type.MX, ZONE), true);
                MxLookupService service =
                        new MxLookupService(TestConfigs.answering(server.address()))) {
            assertThat(service.check("d0.share.test").classification())
                    .isEqualTo(MxClassification.TEMPFAIL);
            assertThat(service.check("d0.share.test").classification())
                    .isEqualTo(MxClassification.TEMPFAIL);
            assertThat(service.queriesSent())
                    .as("asked again: SERVFAIL is never cached")
                    .isEqualTo(2);
        }
    }

    private static DnsResolverConfig withServer(DnsResolverConfig config, String server) {
        return new DnsResolverConfig(
                List.of(DnsResolverConfig.parseServer(server)),
                config.queryTimeout(),
                config.deadline(),
                config.udpAttempts(),
                config.ednsPayloadSize(),
                config.minCacheTtl(),
                config.maxCacheTtl(),
                config.maxCnameDepth(),
                config.threads(),
                config.cacheEntries(),
                config.maxConcurrentChecks());
    }
}
