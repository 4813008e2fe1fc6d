package io.mailroute.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.dns.fixtures.Behaviours;
import io.mailroute.dns.fixtures.FaultDnsServer;
import io.mailroute.dns.fixtures.KnotServer;
import io.mailroute.dns.fixtures.StaticZone;
import io.mailroute.testing.RealComponents;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The seed incident's failure class with a single resolver: it cuts a UDP answer to fit and drops
 * the TC bit, so there is no second resolver to disagree with. An answer that fills (almost) its
 * size limit is asked again over TCP and the difference is reported.
 */
@RealComponents
class SilentUdpShorteningTest {

    static StaticZone zone() throws Exception {
        return StaticZone.parse("mx.test", KnotServer.resource("mx.test.zone"));
    }

    @Test
    void aShortenedEdnsAnswerIsCompletedOverTcpAndReported() throws Exception {
        try (FaultDnsServer stripper =
                        FaultDnsServer.start(Behaviours.stripTruncationOverUdp(zone()), true);
                MxLookupService service =
                        new MxLookupService(TestConfigs.answering(stripper.address()))) {
            HostReport host = service.checkHost("mx.big100.mx.test");

            assertThat(host.addressCount()).as("all 100 addresses, from TCP").isEqualTo(100);
            assertThat(host.tcpNeeded()).isTrue();
            assertThat(host.warnings())
                    .anySatisfy(
                            w ->
                                    assertThat(w)
                                            .contains(
                                                    "A mx.big100.mx.test from "
                                                            + stripper.address())
                                            .contains("without TC")
                                            .contains("TCP had 100")
                                            .contains("cut short"));
            List<QueryTrace> queries = host.resolvers().get(0).queries();
            assertThat(queries)
                    .anySatisfy(
                            q -> {
                                assertThat(q.type()).isEqualTo("A");
                                assertThat(q.transport()).isEqualTo(Transport.TCP);
                                assertThat(q.truncatedRetriedOverTcp())
                                        .as("TC was never set")
                                        .isFalse();
                                assertThat(q.udpShortened()).isNotNull();
                            });
        }
    }

    @Test
    void aShortenedAnswerWithoutEdnsIsCaughtToo() throws Exception {
        try (FaultDnsServer stripper =
                        FaultDnsServer.start(Behaviours.stripTruncationOverUdp(zone()), true);
                MxLookupService service =
                        new MxLookupService(
                                TestConfigs.answering(stripper.address()).withEdnsPayloadSize(0))) {
            MxReport report = service.check("big100.mx.test");

            assertThat(report.hosts().get(0).addressCount()).isEqualTo(100);
            assertThat(report.warnings()).anySatisfy(w -> assertThat(w).contains("cut short"));
            assertThat(stripper.received())
                    .anySatisfy(
                            r -> {
                                assertThat(r.overTcp()).isTrue();
                                assertThat(r.edns()).isFalse();
                            });
        }
    }

    @Test
    void aSmallAnswerIsNotAskedAgain() throws Exception {
        try (FaultDnsServer stripper =
                        FaultDnsServer.start(Behaviours.stripTruncationOverUdp(zone()), true);
                MxLookupService service =
                        new MxLookupService(TestConfigs.answering(stripper.address()))) {
            HostReport host = service.checkHost("mx.big100.mx.test");
            assertThat(host.addressCount()).isEqualTo(100);
            int before = stripper.received().size();

            HostReport small = service.checkHost("mx-a.mx.test");
            assertThat(small.tcpNeeded()).isFalse();
            assertThat(small.warnings()).isEmpty();
            assertThat(stripper.received().subList(before, stripper.received().size()))
                    .noneMatch(FaultDnsServer.Received::overTcp);
        }
    }
}
