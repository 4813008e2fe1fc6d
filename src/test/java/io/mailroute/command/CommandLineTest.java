package io.mailroute.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.MailrouteMain;
import io.mailroute.dns.fixtures.KnotServer;
import io.mailroute.testing.RealComponents;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar's command line ({@code check}, {@code render}) against the real test DNS server (knot).
 */
@RealComponents
class CommandLineTest {
    static KnotServer knot;

    record Run(int exit, String out, String err) {}

    @BeforeAll
    static void startKnot() throws Exception {
        knot = KnotServer.start();
    }

    @AfterAll
    static void stopKnot() throws Exception {
        knot.close();
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit =
                MailrouteMain.run(
                        List.of(args),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(
                exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String[] check(String... args) {
        List<String> all = new ArrayList<>(List.of("check", "--resolver", knot.address()));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    @Test
    void seedDomainChecksOutWithItsFiftySixAddresses() {
        Run run = run(check("outlook.com"));
        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(run.out())
                .contains("outlook.com: OK (PASS)")
                .containsPattern(
                        "MX 5 +outlook-com\\.olc\\.protection\\.outlook\\.com +RESOLVED +56 address")
                .contains("exit 0");
    }

    @Test
    void addressAnswersThatNeedTcpAreShown() {
        Run run = run(check("big100.mx.test"));
        assertThat(run.out()).contains("TCP needed");
    }

    @Test
    void definiteFailuresExitTwoAndOutrankWarnings() {
        assertThat(run(check("nullmx.mx.test")).exit()).isEqualTo(CheckCommand.FAILURES);
        assertThat(run(check("no-such-domain.mx.test")).out()).contains("NXDOMAIN");
        assertThat(run(check("outlook.com", "nullmx.mx.test")).exit())
                .isEqualTo(CheckCommand.FAILURES);
    }

    @Test
    void aResolverThatDoesNotAnswerIsATemporaryFailure() throws Exception {
        try (java.net.DatagramSocket silent =
                new java.net.DatagramSocket(0, java.net.InetAddress.getByName("127.0.0.1"))) {
            Run run =
                    run("check", "--resolver", "127.0.0.1:" + silent.getLocalPort(), "outlook.com");
            assertThat(run.exit()).as(run.out()).isEqualTo(CheckCommand.TEMPORARY);
            assertThat(run.out()).contains("TEMPFAIL");
        }
    }

    @Test
    void jsonOutputHasTheDocumentedFields() {
        Run run = run(check("--output", "json", "equal.mx.test"));
        assertThat(run.exit()).isZero();
        assertThat(run.out())
                .contains(
                        "\"exitCode\" : 0",
                        "\"reports\"",
                        "\"domain\" : \"equal.mx.test\"",
                        "\"classification\" : \"OK\"",
                        "\"verdict\" : \"PASS\"",
                        "\"hosts\"",
                        "\"preference\"",
                        "\"addressCount\"",
                        "\"tcpNeeded\"",
                        "\"resolvers\"",
                        "\"disagreement\"",
                        "\"minTtlSeconds\"",
                        "\"checkedAt\"");
    }

    @Test
    void badArgumentsAreUsageErrors() {
        Run run = run("check", "--output", "yaml", "example.com");
        assertThat(run.exit()).isEqualTo(MailrouteMain.USAGE_ERROR);
        assertThat(run.err())
                .contains("--output must be text or json")
                .contains("usage: mailroute check");
        assertThat(run("check").exit()).isEqualTo(MailrouteMain.USAGE_ERROR);
        assertThat(run("check", "--resolver").err()).contains("--resolver needs a value");
        assertThat(run("check", "bad domain").err()).contains("not a valid domain name");
    }

    @Test
    void helpOptionPrintsTheUsageAndSucceeds() {
        Run run = run("check", "--help");
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("usage: mailroute check");
    }

    @Test
    void checkReadsTheDomainsOfMailRoutesFromFiles() {
        Run run = run(check("--from-files", "examples/10-microsoft-consumer-domains.yaml"));
        assertThat(run.exit()).as(run.out()).isZero();
        assertThat(run.out())
                .contains("outlook.com: OK", "hotmail.com: OK", "live.com: OK", "msn.com: OK");
    }

    @Test
    void renderWritesThePostfixFilesOfTheExamples(@TempDir Path out) throws Exception {
        Run run = run("render", "-f", "examples", "--output-dir", out.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(Files.readString(out.resolve("default/outbound/transport")))
                .contains("outlook.com smtp:[outlook-com.olc.protection.outlook.com]:25");
        assertThat(out.resolve("default/outbound/main.cf")).exists();
        assertThat(out.resolve("default/outbound/sasl_passwd")).doesNotExist();
    }

    @Test
    void renderFailsWithOneLinePerProblem(@TempDir Path dir) throws Exception {
        Files.writeString(
                dir.resolve("bad.yaml"),
                """
                apiVersion: mailroute.io/v1alpha1
                kind: MailRelay
                metadata: {name: relay}
                spec: {hostname: relay.example.com, acceptFrom: [10.0.0.1/8]}
                """);
        Run run = run("render", "-f", dir.toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err().lines().filter(l -> !l.startsWith("note:")))
                .containsExactly(
                        "MailRelay default/relay: InvalidRelay: spec.acceptFrom[0]: \"10.0.0.1/8\" is not a "
                                + "valid network: host bits are set; did you mean 10.0.0.0/8?");
    }
}
