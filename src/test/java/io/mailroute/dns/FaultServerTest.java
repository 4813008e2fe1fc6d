package io.mailroute.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.dns.fixtures.Behaviours;
import io.mailroute.dns.fixtures.FaultDnsServer;
import io.mailroute.dns.fixtures.StaticZone;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Type;

/** Failures that must end as TEMPFAIL (never as "no MX"), and the ones the engine works around. */
class FaultServerTest {

    static final StaticZone ZONE =
            StaticZone.parse(
                    "fault.test",
                    """
      @        SOA  ns.fault.test. hostmaster.fault.test. 1 3600 600 86400 60
      @        A    192.0.2.80
      mail     MX   10 mx1
      mx1      A    192.0.2.81
      """);

    @Test
    void servfailOnMxIsTempfailAndTheDomainsAddressIsNeverUsed() throws Exception {
        try (FaultDnsServer server =
                        FaultDnsServer.start(Behaviours.servfailFor(Type.MX, ZONE), true);
                MxLookupService service =
                        new MxLookupService(TestConfigs.answering(server.address()))) {
            MxReport report = service.check("fault.test");

            assertThat(report.classification()).isEqualTo(MxClassification.TEMPFAIL);
            assertThat(report.verdict()).isEqualTo(Verdict.RETRY);
            assertThat(report.hosts()).isEmpty();
            assertThat(report.errors()).anyMatch(e -> e.contains("SERVFAIL"));
            assertThat(report.minTtlSeconds()).isZero();
            assertThat(server.received())
                    .extracting(FaultDnsServer.Received::type)
                    .as("no A/AAAA fallback query")
                    .containsOnly("MX");
        }
    }

    @Test
    void silentServerIsTempfailWithinTheDeadline() throws Exception {
        try (FaultDnsServer server = FaultDnsServer.start(Behaviours.silent(), true);
                MxLookupService service = new MxLookupService(TestConfigs.fast(server.address()))) {
            long start = System.nanoTime();
            MxReport report = service.check("fault.test");
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(report.classification()).isEqualTo(MxClassification.TEMPFAIL);
            assertThat(report.errors()).anyMatch(e -> e.contains("timeout"));
            assertThat(server.received()).as("two UDP attempts").hasSize(2);
            assertThat(took).isLessThan(TestConfigs.DEADLINE);
        }
    }

    @Test
    void overallDeadlineCutsRetriesShort() throws Exception {
        try (FaultDnsServer server = FaultDnsServer.start(Behaviours.silent(), true);
                MxLookupService service =
                        new MxLookupService(
                                DnsResolverConfig.of(List.of(server.address()))
                                        .withTimeouts(
                                                Duration.ofMillis(300), Duration.ofMillis(400))
                                        .withUdpAttempts(5))) {
            long start = System.nanoTime();
            MxReport report = service.check("fault.test");
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(report.classification()).isEqualTo(MxClassification.TEMPFAIL);
            assertThat(server.received()).hasSizeLessThanOrEqualTo(2);
            assertThat(took).isLessThan(Duration.ofMillis(1000));
        }
    }

    @Test
    void truncatedUdpAnswerWithoutTcpServiceIsTempfail() throws Exception {
        try (FaultDnsServer server = FaultDnsServer.start(Behaviours.alwaysTruncated(), false);
                MxLookupService service =
                        new MxLookupService(TestConfigs.answering(server.address()))) {
            MxReport report = service.check("fault.test");

            assertThat(report.classification()).isEqualTo(MxClassification.TEMPFAIL);
            assertThat(report.hosts()).isEmpty();
            QueryTrace mx = report.resolvers().get(0).queries().get(0);
            assertThat(mx.truncatedRetriedOverTcp()).isTrue();
            assertThat(mx.transport()).isEqualTo(Transport.TCP);
            assertThat(mx.error()).contains("truncated").contains("TCP");
        }
    }

    @Test
    void serverRejectingEdnsWithFormerrIsAskedAgainWithoutEdns() throws Exception {
        for (boolean echoQuestion : new boolean[] {true, false}) {
            try (FaultDnsServer server =
                            FaultDnsServer.start(
                                    Behaviours.formerrOnEdns(ZONE, echoQuestion), true);
                    MxLookupService service =
                            new MxLookupService(TestConfigs.answering(server.address()))) {
                MxReport report = service.check("mail.fault.test");

                assertThat(report.classification())
                        .as("echo=%s", echoQuestion)
                        .isEqualTo(MxClassification.OK);
                assertThat(report.hosts().get(0).addresses()).containsExactly("192.0.2.81");
                QueryTrace mx = report.resolvers().get(0).queries().get(0);
                assertThat(mx.ednsFallback()).isTrue();
                assertThat(mx.rcode()).isEqualTo("NOERROR");
                assertThat(server.received())
                        .filteredOn(q -> q.type().equals("MX"))
                        .extracting(FaultDnsServer.Received::edns)
                        .containsExactly(true, false);
            }
        }
    }

    @Test
    void referralFromANonRecursiveServerIsNotNodata() throws Exception {
        try (FaultDnsServer server =
                        FaultDnsServer.start(
                                Behaviours.referral("fault.test", "ns.elsewhere.test"), true);
                MxLookupService service =
                        new MxLookupService(TestConfigs.answering(server.address()))) {
            MxReport report = service.check("fault.test");

            assertThat(report.classification()).isEqualTo(MxClassification.TEMPFAIL);
            assertThat(report.errors()).anyMatch(e -> e.contains("referral"));
            assertThat(server.received())
                    .extracting(FaultDnsServer.Received::type)
                    .containsOnly("MX");
        }
    }

    @Test
    void failuresAreNotCached() throws Exception {
        try (FaultDnsServer server =
                        FaultDnsServer.start(Behaviours.servfailFor(Type.MX, ZONE), true);
                MxLookupService service =
                        new MxLookupService(TestConfigs.answering(server.address()))) {
            service.check("fault.test");
            service.check("fault.test");

            assertThat(server.received()).hasSize(2);
        }
    }
}
