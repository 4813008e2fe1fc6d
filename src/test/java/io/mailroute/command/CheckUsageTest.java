package io.mailroute.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.MailrouteMain;
import io.mailroute.dns.fixtures.Behaviours;
import io.mailroute.dns.fixtures.FaultDnsServer;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Command lines that cannot run: exit 64, one clear message and the usage on stderr, nothing on
 * stdout.
 */
class CheckUsageTest {

    static Stream<Arguments> badCommandLines() {
        return Stream.of(
                Arguments.of(List.of("check"), "name at least one domain"),
                Arguments.of(
                        List.of("check", "example.com", "--output", "yaml"),
                        "--output must be text or json, not yaml"),
                Arguments.of(List.of("check", "example.com", "--output"), "--output needs a value"),
                Arguments.of(
                        List.of("check", "example.com", "--resolver"), "--resolver needs a value"),
                Arguments.of(
                        List.of("check", "example.com", "--resolver", "--output", "json"),
                        "--resolver needs a value"),
                Arguments.of(
                        List.of("check", "example.com", "--resolver", "localhost"),
                        "DNS server must be an IP address: localhost"),
                Arguments.of(
                        List.of("check", "example.com", "--resolver", "127.0.0.1:70000"),
                        "bad port in DNS server: 127.0.0.1:70000"),
                Arguments.of(
                        List.of("check", "example.com", "--verbose"), "unknown option --verbose"),
                Arguments.of(List.of("check", "bad domain"), "not a valid domain name"),
                Arguments.of(List.of("check", "192.0.2.1"), "it is an IP address"));
    }

    @ParameterizedTest
    @MethodSource("badCommandLines")
    void isAUsageError(List<String> args, String message) {
        Cli.Run run = Cli.run(args.toArray(String[]::new));

        assertThat(run.exit()).as(run.all()).isEqualTo(MailrouteMain.USAGE_ERROR).isEqualTo(64);
        assertThat(run.err())
                .as(run.all())
                .startsWith("mailroute check: ")
                .contains(message)
                .contains("usage: mailroute check DOMAIN... [--resolver IP[:PORT]]...");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void usageErrorsAreFoundBeforeAnyQueryIsSent() throws Exception {
        try (FaultDnsServer server = FaultDnsServer.start(Behaviours.silent(), false)) {
            Cli.Run run = Cli.check(List.of(server.address()), "example.com", "--output", "yaml");

            assertThat(run.exit()).isEqualTo(64);
            assertThat(server.received()).isEmpty();
        }
    }

    @Test
    void helpPrintsTheUsageAndSucceeds() {
        Cli.Run run = Cli.run("help");

        assertThat(run.exit()).isZero();
        assertThat(run.out()).startsWith("usage: mailroute check ").contains("mailroute render -f");
        assertThat(run.err()).isEmpty();
    }
}
