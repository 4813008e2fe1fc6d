package io.mailroute.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.dns.fixtures.Behaviours;
import io.mailroute.dns.fixtures.FaultDnsServer;
import io.mailroute.dns.fixtures.KnotServer;
import io.mailroute.dns.fixtures.StaticZone;
import io.mailroute.testing.RealComponents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Several resolvers are asked on their own; their differences are reported. */
@RealComponents
class ResolverDisagreementTest {

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
    void resolverThatSilentlyTruncatesDisagreesWithOneThatUsedTcp() throws Exception {
        StaticZone zone = StaticZone.parse("mx.test", KnotServer.resource("mx.test.zone"));
        try (FaultDnsServer stripper =
                        FaultDnsServer.start(Behaviours.stripTruncation(zone, 20), true);
                MxLookupService service =
                        new MxLookupService(
                                TestConfigs.answering(knot.address(), stripper.address()))) {
            MxReport report = service.check("big100.mx.test");

            assertThat(report.hosts().get(0).addressCount())
                    .as("first resolver: knot")
                    .isEqualTo(100);
            assertThat(report.resolvers().get(1).hosts().get(0).addressCount()).isEqualTo(20);
            assertThat(report.disagreement()).isTrue();
            assertThat(report.disagreements())
                    .singleElement()
                    .satisfies(
                            d ->
                                    assertThat(d)
                                            .contains("mx.big100.mx.test")
                                            .contains(knot.address() + "=100 addresses (TCP)")
                                            .contains(stripper.address() + "=20 addresses (UDP)")
                                            .contains("cut short"));
            assertThat(report.verdict()).isEqualTo(Verdict.WARN);
        }
    }

    @Test
    void differentMxSetsAreADisagreement() throws Exception {
        StaticZone one =
                StaticZone.parse(
                        "split.test",
                        """
        @    SOA ns hostmaster 1 3600 600 86400 60
        @    MX  10 mx1
        mx1  A   192.0.2.1
        """);
        StaticZone two =
                StaticZone.parse(
                        "split.test",
                        """
        @    SOA ns hostmaster 1 3600 600 86400 60
        @    MX  10 mx2
        mx2  A   192.0.2.2
        """);
        try (FaultDnsServer a = FaultDnsServer.start(Behaviours.serve(one), true);
                FaultDnsServer b = FaultDnsServer.start(Behaviours.serve(two), true);
                MxLookupService service =
                        new MxLookupService(TestConfigs.answering(a.address(), b.address()))) {
            MxReport report = service.check("split.test");

            assertThat(report.mxSet().hostNames()).containsExactly("mx1.split.test");
            assertThat(report.disagreement()).isTrue();
            assertThat(report.disagreements())
                    .anyMatch(
                            d ->
                                    d.startsWith("MX sets differ")
                                            && d.contains("mx1.split.test")
                                            && d.contains("mx2.split.test"));
        }
    }

    @Test
    void sameEqualPreferenceSetInAnotherOrderIsAgreement() throws Exception {
        StaticZone reordered =
                StaticZone.parse(
                        "mx.test",
                        """
        @     SOA ns hostmaster 1 3600 600 86400 60
        equal MX  20 mx-c
        equal MX  10 mx-b
        equal MX  10 mx-a
        mx-c  A   192.0.2.33
        mx-b  A   192.0.2.32
        mx-a  A   192.0.2.31
        """);
        try (FaultDnsServer other = FaultDnsServer.start(Behaviours.serve(reordered), true);
                MxLookupService service =
                        new MxLookupService(
                                TestConfigs.answering(knot.address(), other.address()))) {
            MxReport report = service.check("equal.mx.test");

            assertThat(report.resolvers().get(1).queries().get(0).answerCount()).isEqualTo(3);
            assertThat(report.resolvers().get(1).mxSet())
                    .isEqualTo(report.resolvers().get(0).mxSet());
            assertThat(report.disagreement()).isFalse();
            assertThat(report.verdict()).isEqualTo(Verdict.PASS);
        }
    }

    @Test
    void oneResolverFailingWhileAnotherAnswersIsADisagreement() throws Exception {
        try (FaultDnsServer silent = FaultDnsServer.start(Behaviours.silent(), true);
                MxLookupService service =
                        new MxLookupService(TestConfigs.fast(silent.address(), knot.address()))) {
            MxReport report = service.check("equal.mx.test");

            assertThat(report.classification())
                    .as("taken from the resolver that answered")
                    .isEqualTo(MxClassification.OK);
            assertThat(report.resolvers())
                    .extracting(ResolverMxResult::classification)
                    .containsExactly(MxClassification.TEMPFAIL, MxClassification.OK);
            assertThat(report.disagreements())
                    .anyMatch(d -> d.startsWith("classification differs"));
            assertThat(report.minTtlSeconds()).isZero();
            assertThat(report.verdict()).isEqualTo(Verdict.WARN);
        }
    }

    @Test
    void checkHostComparesAddressesAcrossResolvers() throws Exception {
        StaticZone zone = StaticZone.parse("mx.test", KnotServer.resource("mx.test.zone"));
        try (FaultDnsServer stripper =
                        FaultDnsServer.start(Behaviours.stripTruncation(zone, 20), true);
                MxLookupService service =
                        new MxLookupService(
                                TestConfigs.answering(knot.address(), stripper.address()))) {
            HostReport host = service.checkHost("mx.big300.mx.test");

            assertThat(host.addressCount()).isEqualTo(300);
            assertThat(host.disagreement()).isTrue();
            assertThat(host.resolvers())
                    .extracting(ResolverHostResult::addressCount)
                    .containsExactly(300, 20);
        }
    }
}
