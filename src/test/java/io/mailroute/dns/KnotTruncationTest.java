package io.mailroute.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.dns.fixtures.KnotServer;
import io.mailroute.testing.RealComponents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The incident: an MX host with dozens of A records whose answer does not fit into a UDP datagram.
 * Truncated answers must be fetched again over TCP and never used as they are.
 *
 * <p>Sizes measured against knotd: 56 A records = 955 bytes without EDNS (over 512: TC), 966 bytes
 * with EDNS (fits 1232); 100 A = 1635 bytes and 300 A = 4835 bytes (over 1232: TC).
 */
@RealComponents
class KnotTruncationTest {

    private static final String SEED_HOST = "outlook-com.olc.protection.seed56.mx.test";

    private static KnotServer knot;

    @BeforeAll
    static void startServer() throws Exception {
        knot = KnotServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (knot != null) {
            knot.close();
        }
    }

    @Test
    void seedHostWith56AddressesFitsIntoAnEdnsAnswerOverUdp() {
        try (MxLookupService service = new MxLookupService(TestConfigs.answering(knot.address()))) {
            MxReport report = service.check("seed56.mx.test");

            MxHostReport host = report.hosts().get(0);
            assertThat(host.host()).isEqualTo(SEED_HOST);
            assertThat(host.addressCount()).isEqualTo(56);
            assertThat(host.tcpNeeded()).isFalse();
            QueryTrace a = trace(report, SEED_HOST, "A");
            assertThat(a.transport()).isEqualTo(Transport.UDP);
            assertThat(a.responseBytes()).isBetween(513, 1232);
            assertThat(report.verdict()).isEqualTo(Verdict.PASS);
        }
    }

    @Test
    void withoutEdnsTheSeedAnswerIsTruncatedAndRefetchedOverTcp() {
        try (MxLookupService service =
                new MxLookupService(TestConfigs.answering(knot.address()).withEdnsPayloadSize(0))) {
            MxReport report = service.check("seed56.mx.test");

            MxHostReport host = report.hosts().get(0);
            assertThat(host.addressCount()).isEqualTo(56);
            assertThat(host.addresses())
                    .as("the domain's own A record is never a fallback")
                    .doesNotContain("192.0.2.99");
            assertThat(host.tcpNeeded()).isTrue();
            QueryTrace a = trace(report, SEED_HOST, "A");
            assertThat(a.truncatedRetriedOverTcp()).isTrue();
            assertThat(a.transport()).isEqualTo(Transport.TCP);
            assertThat(a.answerCount()).isEqualTo(56);
            assertThat(a.responseBytes()).isGreaterThan(512);
            assertThat(trace(report, "seed56.mx.test", "MX").transport()).isEqualTo(Transport.UDP);
            assertThat(report.verdict()).isEqualTo(Verdict.PASS);
        }
    }

    @Test
    void answersLargerThanTheEdnsPayloadAreRefetchedOverTcp() {
        try (MxLookupService service = new MxLookupService(TestConfigs.answering(knot.address()))) {
            for (int count : new int[] {100, 300}) {
                MxReport report = service.check("big" + count + ".mx.test");

                MxHostReport host = report.hosts().get(0);
                assertThat(host.addressCount()).as("addresses of big%d", count).isEqualTo(count);
                assertThat(host.tcpNeeded()).isTrue();
                QueryTrace a = trace(report, host.host(), "A");
                assertThat(a.truncatedRetriedOverTcp()).isTrue();
                assertThat(a.transport()).isEqualTo(Transport.TCP);
                assertThat(a.responseBytes()).isGreaterThan(DnsResolverConfig.DEFAULT_EDNS_PAYLOAD);
                assertThat(trace(report, host.host(), "AAAA").transport())
                        .as("the small AAAA answer stays on UDP")
                        .isEqualTo(Transport.UDP);
            }
        }
    }

    @Test
    void checkHostReportsTcpForLargeAnswers() {
        try (MxLookupService service = new MxLookupService(TestConfigs.answering(knot.address()))) {
            HostReport host = service.checkHost("mx.big300.mx.test");

            assertThat(host.status()).isEqualTo(HostStatus.RESOLVED);
            assertThat(host.addressCount()).isEqualTo(300);
            assertThat(host.tcpNeeded()).isTrue();
        }
    }

    private static QueryTrace trace(MxReport report, String name, String type) {
        return report.resolvers().get(0).queries().stream()
                .filter(q -> q.name().equals(name) && q.type().equals(type))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " query for " + name));
    }
}
