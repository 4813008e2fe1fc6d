package io.mailroute.relay;

import static io.mailroute.relay.fixtures.Configs.relayVia;
import static io.mailroute.relay.fixtures.Configs.render;
import static io.mailroute.relay.fixtures.Configs.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailroute.postfix.PostfixConfig;
import io.mailroute.relay.fixtures.Commands;
import io.mailroute.relay.fixtures.Loopback;
import io.mailroute.relay.fixtures.NetNs;
import io.mailroute.relay.fixtures.RelayInstance;
import io.mailroute.relay.fixtures.SinkProcess;
import io.mailroute.relay.fixtures.Swaks;
import io.mailroute.testing.RealComponents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container securityContext recommended in docs/relay.md (root, but only the capabilities
 * listed in {@link #CAPABILITIES}, no_new_privs) is enough for the relay: smtpd on port 25,
 * delivery, reload and drain. Runs in a network namespace so that port 25 is the namespace's own.
 */
@RealComponents
class RelayCapabilitiesTest {

    /** Keep in sync with docs/relay.md (capabilities.add). */
    static final String CAPABILITIES =
            "chown,dac_override,fowner,setuid,setgid,net_bind_service,kill";

    private NetNs netns;
    private SinkProcess sink;
    private RelayInstance relay;

    @AfterEach
    void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {relay, sink, netns}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                // keep closing the rest
            }
        }
    }

    @Test
    void relayRunsWithTheRecommendedCapabilitiesOnly(@TempDir Path dir) throws IOException {
        Commands.requireRootAndTools("postfix", "postconf", "postmap", "ip", "swaks", "setpriv");
        netns = NetNs.create();
        sink = SinkProcess.start(netns, dir, "sink", List.of("127.0.0.2:25", "127.0.0.3:25"));
        List<String> prefix = new ArrayList<>(netns.exec());
        prefix.addAll(
                List.of(
                        "setpriv",
                        "--bounding-set=-all," + prefixed(CAPABILITIES),
                        "--inh-caps=-all",
                        "--no-new-privs"));
        PostfixConfig first =
                render(
                        relayVia(new Loopback.Endpoint("127.0.0.9", 25)),
                        route("a.test", new Loopback.Endpoint("127.0.0.2", 25)));
        relay =
                RelayInstance.create(new Loopback.Endpoint("127.0.0.1", 25), null, prefix)
                        .start(first);

        assertThat(capabilityBoundingSet(relay))
                .as("the Postfix master runs with the reduced set")
                .isEqualTo("00000000000004eb");
        send("bob@a.test", "first");
        await().atMost(Duration.ofSeconds(30))
                .until(
                        () ->
                                sink.deliveries().stream()
                                        .anyMatch(
                                                d ->
                                                        d.sink().equals("127.0.0.2:25")
                                                                && d.rcptTo()
                                                                        .equals(
                                                                                List.of(
                                                                                        "bob@a.test"))));

        PostfixConfig second =
                render(
                        relayVia(new Loopback.Endpoint("127.0.0.9", 25)),
                        route("a.test", new Loopback.Endpoint("127.0.0.3", 25)));
        relay.publish(second);
        relay.awaitLive(RelayInstance.hashOf(second));
        send("carol@a.test", "second");
        await().atMost(Duration.ofSeconds(30))
                .until(
                        () ->
                                sink.deliveries().stream()
                                        .anyMatch(
                                                d ->
                                                        d.sink().equals("127.0.0.3:25")
                                                                && d.rcptTo()
                                                                        .equals(
                                                                                List.of(
                                                                                        "carol@a.test"))));

        Commands.Result drained =
                relay.runScript(
                        "drain.sh", Map.of("RELAY_DRAIN_SECONDS", "20"), Duration.ofSeconds(40));
        assertThat(drained.exitCode()).as(drained.output()).isZero();
        assertThat(relay.maillog()).doesNotContain("fatal:", "panic:", "Operation not permitted");
    }

    private void send(String to, String subject) {
        Commands.Result sent =
                Swaks.send(netns, "127.0.0.1:25", null, "alice@sender.test", to, subject, null);
        assertThat(sent.exitCode()).as(sent.output()).isZero();
    }

    private static String capabilityBoundingSet(RelayInstance relay) throws IOException {
        String pid = Files.readString(relay.queueDir().resolve("pid/master.pid")).trim();
        return Files.readAllLines(Path.of("/proc", pid, "status")).stream()
                .filter(l -> l.startsWith("CapBnd:"))
                .map(l -> l.substring("CapBnd:".length()).trim())
                .findFirst()
                .orElse("");
    }

    private static String prefixed(String capabilities) {
        return "+" + capabilities.replace(",", ",+");
    }
}
