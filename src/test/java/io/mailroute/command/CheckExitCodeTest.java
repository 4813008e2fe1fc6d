package io.mailroute.command;

import static io.mailroute.dns.Verdict.FAIL;
import static io.mailroute.dns.Verdict.PASS;
import static io.mailroute.dns.Verdict.RETRY;
import static io.mailroute.dns.Verdict.WARN;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.dns.MxClassification;
import io.mailroute.dns.MxReport;
import io.mailroute.dns.MxSet;
import io.mailroute.dns.Verdict;
import io.mailroute.dns.fixtures.FaultDnsServer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Exit code = the worst verdict over all domains, ranked FAIL (2) > RETRY (3) > WARN (1) > PASS
 * (0): a definite failure must stop a pipeline even when another domain only needs a retry.
 */
class CheckExitCodeTest {
    static FaultDnsServer server;

    @BeforeAll
    static void startServer() {
        server = VerdictZone.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    static Stream<Arguments> verdictMixes() {
        return Stream.of(
                Arguments.of(List.of(PASS), 0),
                Arguments.of(List.of(PASS, PASS), 0),
                Arguments.of(List.of(WARN), 1),
                Arguments.of(List.of(PASS, WARN), 1),
                Arguments.of(List.of(FAIL), 2),
                Arguments.of(List.of(PASS, FAIL), 2),
                Arguments.of(List.of(RETRY), 3),
                Arguments.of(List.of(WARN, RETRY), 3),
                Arguments.of(List.of(RETRY, FAIL), 2),
                Arguments.of(List.of(PASS, WARN, RETRY, FAIL), 2));
    }

    @ParameterizedTest
    @MethodSource("verdictMixes")
    void worstVerdictDecidesInAnyOrder(List<Verdict> verdicts, int expected) {
        List<Verdict> reversed = new ArrayList<>(verdicts);
        Collections.reverse(reversed);

        assertThat(CheckCommand.exitCode(reports(verdicts))).isEqualTo(expected);
        assertThat(CheckCommand.exitCode(reports(reversed))).isEqualTo(expected);
    }

    @Test
    void constantsAreTheDocumentedCodes() {
        assertThat(
                        List.of(
                                CheckCommand.OK,
                                CheckCommand.WARNINGS,
                                CheckCommand.FAILURES,
                                CheckCommand.TEMPORARY))
                .containsExactly(0, 1, 2, 3);
    }

    @Test
    void eachVerdictFromTheRealEngineHasItsCode() {
        assertThat(exitOf(VerdictZone.PASS)).isEqualTo(0);
        assertThat(exitOf(VerdictZone.WARN)).isEqualTo(1);
        assertThat(exitOf(VerdictZone.FAIL)).isEqualTo(2);
        assertThat(exitOf(VerdictZone.RETRY)).isEqualTo(3);
    }

    @Test
    void retryOutranksWarningsAndFailureOutranksRetry() {
        assertThat(exitOf(VerdictZone.PASS, VerdictZone.WARN)).isEqualTo(1);
        assertThat(exitOf(VerdictZone.WARN, VerdictZone.RETRY)).isEqualTo(3);
        assertThat(exitOf(VerdictZone.RETRY, VerdictZone.FAIL)).isEqualTo(2);
        assertThat(exitOf(VerdictZone.FAIL, VerdictZone.RETRY)).isEqualTo(2);
    }

    @Test
    void jsonCarriesTheSameExitCodeAsTheProcess() {
        Cli.Run run =
                Cli.check(
                        List.of(server.address()),
                        "--output",
                        "json",
                        VerdictZone.WARN,
                        VerdictZone.RETRY);

        assertThat(run.exit()).isEqualTo(3);
        assertThat(run.out()).startsWith("{\n  \"exitCode\" : 3,");
    }

    private static int exitOf(String... domains) {
        Cli.Run run = Cli.check(List.of(server.address()), domains);
        assertThat(run.out())
                .as(run.all())
                .endsWith(
                        "exit "
                                + run.exit()
                                + ": "
                                + switch (run.exit()) {
                                    case 0 -> "every domain checked out";
                                    case 1 -> "warnings";
                                    case 2 -> "failures";
                                    default -> "temporary failures, try again";
                                }
                                + System.lineSeparator());
        return run.exit();
    }

    private static List<MxReport> reports(List<Verdict> verdicts) {
        return verdicts.stream()
                .map(
                        v ->
                                new MxReport(
                                        "d" + v.ordinal() + ".example",
                                        MxClassification.OK,
                                        v,
                                        MxSet.empty(),
                                        List.of(),
                                        List.of(),
                                        List.of(),
                                        false,
                                        List.of(),
                                        List.of(),
                                        0,
                                        "2030-01-01T00:00:00Z"))
                .toList();
    }
}
