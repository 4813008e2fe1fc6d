package io.mailroute.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.dns.fixtures.Behaviours;
import io.mailroute.dns.fixtures.FaultDnsServer;
import io.mailroute.dns.fixtures.StaticZone;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code mailroute check} of more domains than its window of checks in flight: every report comes
 * out once, in the order the domains were given, whatever order the answers arrive in.
 */
class CheckWindowTest {

    @Test
    void reportsOfMoreDomainsThanTheWindowComeOutInInputOrder() throws Exception {
        int n = CheckCommand.WINDOW + 200;
        StringBuilder zone =
                new StringBuilder(
                        "@ SOA ns.window.test. hostmaster.window.test. 1 3600 600 86400 60\n"
                                + "mx A 192.0.2.7\n");
        for (int i = 0; i < n; i++) {
            zone.append('d').append(i).append(" MX 10 mx\n");
        }
        StaticZone zoneData = StaticZone.parse("window.test", zone.toString());
        try (FaultDnsServer server = FaultDnsServer.start(Behaviours.serve(zoneData), true)) {
            List<String> args = new ArrayList<>();
            // descending, so input order is not the order of the names
            for (int i = n - 1; i >= 0; i--) {
                args.add("d" + i + ".window.test");
            }
            args.add("absent.window.test");

            Cli.Run run = Cli.check(List.of(server.address()), args.toArray(String[]::new));

            List<String> heads =
                    run.out()
                            .lines()
                            .filter(l -> !l.startsWith(" ") && !l.startsWith("exit"))
                            .toList();
            List<String> expected = new ArrayList<>();
            for (String domain : args) {
                expected.add(
                        domain
                                + (domain.startsWith("absent")
                                        ? ": NXDOMAIN (FAIL)"
                                        : ": OK (PASS)"));
            }
            assertThat(heads).as(run.err()).isEqualTo(expected);
            assertThat(run.exit()).isEqualTo(CheckCommand.FAILURES);
        }
    }
}
