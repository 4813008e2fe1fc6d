package io.mailroute.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.dns.fixtures.Behaviours;
import io.mailroute.dns.fixtures.FaultDnsServer;
import io.mailroute.dns.fixtures.KnotServer;
import io.mailroute.dns.fixtures.StaticZone;
import io.mailroute.testing.RealComponents;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code mailroute check} text output: one block per domain, for reports of the real engine against
 * knot.
 */
@RealComponents
class CheckTextOutputTest {
    static KnotServer knot;

    @BeforeAll
    static void startKnot() throws Exception {
        knot = KnotServer.start();
    }

    @AfterAll
    static void stopKnot() throws Exception {
        knot.close();
    }

    @Test
    void seedDomainShowsItsOneMxHostWithFiftySixAddressesAndNoTcp() {
        Cli.Run run = Cli.check(List.of(knot.address()), "seed56.mx.test");

        assertThat(run.exit()).as(run.all()).isZero();
        assertThat(run.out())
                .isEqualTo(
                        lines(
                                "seed56.mx.test: OK (PASS)",
                                "  MX 10  outlook-com.olc.protection.seed56.mx.test     RESOLVED   56 address(es)",
                                "  resolver " + knot.address() + ": OK",
                                "exit 0: every domain checked out"));
    }

    @Test
    void answerTooBigForUdpSaysTcpWasNeeded() {
        Cli.Run run = Cli.check(List.of(knot.address()), "big300.mx.test");

        assertThat(run.exit()).as(run.all()).isZero();
        assertThat(run.out())
                .contains(
                        "  MX 10  mx.big300.mx.test                             RESOLVED  300 address(es)"
                                + "  TCP needed (UDP answer truncated)");
    }

    @Test
    void cnameChainOfAnMxHostIsShownWithItsWarning() {
        Cli.Run run = Cli.check(List.of(knot.address()), "cname.mx.test");

        assertThat(run.exit()).as(run.all()).isEqualTo(1);
        assertThat(run.out())
                .isEqualTo(
                        lines(
                                "cname.mx.test: OK (WARN)",
                                "  MX 10  alias.mx.test                                 RESOLVED    2 address(es)"
                                        + "  CNAME alias.mx.test -> mail.mx.test",
                                "  warning: MX host alias.mx.test (preference 10): MX host is an alias (alias.mx.test -> "
                                        + "mail.mx.test), not allowed by RFC 2181 10.3 and RFC 5321 5.1",
                                "  resolver " + knot.address() + ": OK",
                                "exit 1: warnings"));
    }

    @Test
    void nullMxAndNxdomainAreFailures() {
        Cli.Run run =
                Cli.check(List.of(knot.address()), "nullmx.mx.test", "no-such-domain.mx.test");

        assertThat(run.exit()).as(run.all()).isEqualTo(2);
        assertThat(run.out())
                .isEqualTo(
                        lines(
                                "nullmx.mx.test: NULL_MX (FAIL)",
                                "  error: domain accepts no mail (null MX, RFC 7505)",
                                "  resolver " + knot.address() + ": NULL_MX",
                                "no-such-domain.mx.test: NXDOMAIN (FAIL)",
                                "  error: domain does not exist (NXDOMAIN)",
                                "  resolver " + knot.address() + ": NXDOMAIN",
                                "exit 2: failures"));
    }

    @Test
    void domainWithoutMxShowsItsImplicitMx() {
        Cli.Run run = Cli.check(List.of(knot.address()), "nodata.mx.test");

        assertThat(run.exit()).as(run.all()).isEqualTo(1);
        assertThat(run.out())
                .startsWith(
                        lines(
                                "nodata.mx.test: NODATA (WARN)",
                                "  MX 0   nodata.mx.test                                RESOLVED    2 address(es)",
                                "  warning: no MX records: mail goes to the domain's own addresses (implicit MX, RFC 5321 5.1)"));
    }

    @Test
    void servfailIsATemporaryFailureNeverNoMx() throws Exception {
        try (FaultDnsServer server = VerdictZone.start()) {
            Cli.Run run = Cli.check(List.of(server.address()), VerdictZone.RETRY);

            assertThat(run.exit()).as(run.all()).isEqualTo(3);
            assertThat(run.out())
                    .startsWith(VerdictZone.RETRY + ": TEMPFAIL (RETRY)" + System.lineSeparator())
                    .containsPattern("(?m)^  error: .*SERVFAIL")
                    .doesNotContain("NODATA", "  MX ")
                    .endsWith(
                            lines(
                                    "  resolver " + server.address() + ": TEMPFAIL",
                                    "exit 3: temporary failures, try again"));
        }
    }

    @Test
    void resolversThatDisagreeAreNamedWithWhatEachSaw() throws Exception {
        StaticZone zone = StaticZone.parse("mx.test", KnotServer.resource("mx.test.zone"));
        try (FaultDnsServer stripper =
                FaultDnsServer.start(Behaviours.stripTruncation(zone, 20), true)) {
            Cli.Run run = Cli.check(List.of(knot.address(), stripper.address()), "big100.mx.test");

            assertThat(run.exit()).as(run.all()).isEqualTo(1);
            assertThat(run.out())
                    .startsWith("big100.mx.test: OK (WARN)" + System.lineSeparator())
                    .containsPattern(
                            "(?m)^  MX 10 +mx\\.big100\\.mx\\.test +RESOLVED +100 address\\(es\\)  TCP needed")
                    .containsPattern(
                            "(?m)^  resolvers disagree: .*mx\\.big100\\.mx\\.test.*"
                                    + knot.address()
                                    + "=100 addresses \\(TCP\\).*"
                                    + stripper.address()
                                    + "=20 addresses")
                    .contains(
                            lines(
                                    "  resolver " + knot.address() + ": OK",
                                    "  resolver " + stripper.address() + ": OK"));
        }
    }

    @Test
    void oneBlockPerDomainInArgumentOrderAndDuplicatesOnce() {
        Cli.Run run =
                Cli.check(
                        List.of(knot.address()),
                        "equal.mx.test",
                        "Seed56.MX.test.",
                        "seed56.mx.test");

        assertThat(run.out().lines().filter(l -> !l.startsWith(" ")))
                .containsExactly(
                        "equal.mx.test: OK (PASS)",
                        "seed56.mx.test: OK (PASS)",
                        "exit 0: every domain checked out");
        assertThat(run.out())
                .contains(
                        lines(
                                "equal.mx.test: OK (PASS)",
                                "  MX 10  mx-a.mx.test                                  RESOLVED    1 address(es)",
                                "  MX 10  mx-b.mx.test                                  RESOLVED    1 address(es)",
                                "  MX 20  mx-c.mx.test                                  RESOLVED    1 address(es)"));
    }

    private static String lines(String... lines) {
        return String.join(System.lineSeparator(), lines) + System.lineSeparator();
    }
}
