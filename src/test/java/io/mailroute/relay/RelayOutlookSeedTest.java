package io.mailroute.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailroute.postfix.DefaultRouteRule;
import io.mailroute.postfix.NextHop;
import io.mailroute.postfix.PostfixConfig;
import io.mailroute.postfix.PostfixRenderer;
import io.mailroute.postfix.RelaySettings;
import io.mailroute.postfix.TlsLevel;
import io.mailroute.postfix.TransportRule;
import io.mailroute.relay.fixtures.Commands;
import io.mailroute.relay.fixtures.Delivery;
import io.mailroute.relay.fixtures.Loopback;
import io.mailroute.relay.fixtures.NetNs;
import io.mailroute.relay.fixtures.NetnsDns;
import io.mailroute.relay.fixtures.RelayInstance;
import io.mailroute.relay.fixtures.SinkProcess;
import io.mailroute.relay.fixtures.Swaks;
import io.mailroute.testing.RealComponents;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The motivating incident, end to end in a network namespace with its own DNS: {@code outlook.test}
 * has an MX host with 56 A records (too many for a plain 512-byte UDP answer) and its own A record
 * points at a server that answers {@code 530 5.7.57 Client not authenticated}. With the operator's
 * pinned route the relay delivers to the MX host's servers and never talks to the 530 server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@RealComponents
class RelayOutlookSeedTest {

    private static final String MX_HOST = "outlook-test.olc.protection.outlook.test";
    private static final String WRONG_SERVER = "127.0.2.1";
    private static final String RELAY = "127.0.0.1:2525";
    private static final String MX_PATTERN = MX_HOST.replace(".", "\\.");

    private NetNs netns;
    private NetnsDns dns;
    private SinkProcess mxServers;
    private SinkProcess wrongServer;
    private RelayInstance relay;

    @BeforeAll
    void startLab(@TempDir Path dir) {
        Commands.requireRootAndTools(
                "postfix", "postconf", "postmap", "ip", "knotd", "kdig", "swaks");
        netns = NetNs.create();
        List<String> zone =
                new ArrayList<>(
                        List.of(
                                "outlook MX 5 " + MX_HOST + ".",
                                "outlook A " + WRONG_SERVER,
                                "fallback A " + WRONG_SERVER,
                                "lostmx A " + WRONG_SERVER,
                                "unpinned MX 5 " + MX_HOST + "."));
        IntStream.rangeClosed(1, 56).forEach(i -> zone.add(MX_HOST + ". A 127.0.1." + i));
        dns = NetnsDns.start(netns, dir, zone);
        mxServers =
                SinkProcess.start(
                        netns,
                        dir,
                        "mx",
                        IntStream.rangeClosed(1, 56)
                                .mapToObj(i -> "127.0.1." + i + ":25")
                                .toList());
        wrongServer =
                SinkProcess.start(
                        netns,
                        dir,
                        "wrong",
                        List.of(WRONG_SERVER + ":25"),
                        "--mail-reply",
                        "530 5.7.57 Client not authenticated to send mail. [test]");
        RelaySettings settings =
                new RelaySettings(
                        "mail/relay", "relay.test", List.of(), new DefaultRouteRule.DeliverByMx());
        PostfixConfig config =
                new PostfixRenderer()
                        .render(settings, List.of(pinned("outlook.test"), pinned("lostmx.test")));
        relay =
                RelayInstance.create(new Loopback.Endpoint("127.0.0.1", 2525), null, netns.exec())
                        .start(config);
    }

    private static TransportRule pinned(String domain) {
        return new TransportRule(
                domain,
                false,
                List.of(new NextHop(MX_HOST, 25, false)),
                TlsLevel.MAY,
                null,
                "mail/" + domain);
    }

    @AfterAll
    void stopLab() {
        for (AutoCloseable closeable :
                new AutoCloseable[] {relay, mxServers, wrongServer, dns, netns}) {
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
    void theMxHostsAnswerIsTooLargeForPlainUdp() {
        Commands.Result udp =
                netns.attempt(
                        Duration.ofSeconds(10),
                        "kdig",
                        "@127.0.0.1",
                        "+notcp",
                        "+noedns",
                        "+ignore",
                        "A",
                        MX_HOST);
        assertThat(udp.stdout())
                .as("UDP answer without EDNS is truncated")
                .containsPattern("Flags: qr aa tc");
        Commands.Result tcp =
                netns.attempt(
                        Duration.ofSeconds(10),
                        "kdig",
                        "@127.0.0.1",
                        "+tcp",
                        "+short",
                        "A",
                        MX_HOST);
        assertThat(tcp.stdout().lines()).as("over TCP").hasSize(56);
    }

    @Test
    void pinnedRouteReachesTheMxServersAndNeverThe530Server() {
        Delivery delivery = sendAndAwaitMxServers("pinned@sender.test", "bob@outlook.test");

        assertThat(delivery.sink()).startsWith("127.0.1.");
        assertThat(relay.maillog())
                .containsPattern(
                        "to=<bob@outlook\\.test>, relay="
                                + MX_PATTERN
                                + "\\[127\\.0\\.1\\.\\d+]:25, .*status=sent");
        assertThat(wrongServerSawSender("pinned@sender.test"))
                .as("the domain's own A record is never used")
                .isFalse();
    }

    /**
     * A resolver that drops the truncated MX answer sees a domain without MX and falls back to its
     * A record, as in the incident. lostmx.test is outlook.test as such a resolver sees it: the
     * pinned route still wins.
     */
    @Test
    void pinnedRouteWinsEvenWhenTheMxAnswerIsLost() {
        sendAndAwaitMxServers("lostmx@sender.test", "erin@lostmx.test");

        assertThat(wrongServerSawSender("lostmx@sender.test")).isFalse();
    }

    /**
     * Without a route, a domain without MX goes to its A record: the 530 server is reachable and
     * seen.
     */
    @Test
    void withoutARouteTheARecordFallbackHitsThe530Server() {
        Commands.Result sent =
                Swaks.send(
                        netns,
                        RELAY,
                        null,
                        "control@sender.test",
                        "carol@fallback.test",
                        "control",
                        null);
        assertThat(sent.exitCode()).as(sent.output()).isZero();

        await().atMost(Duration.ofSeconds(30))
                .until(() -> wrongServerSawSender("control@sender.test"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> relay.maillog().contains("to=<carol@fallback.test>"));
        assertThat(relay.maillog()).contains("530 5.7.57 Client not authenticated");
    }

    /**
     * Postfix on glibc retries the truncated answer over TCP, so it follows the large MX set by
     * itself.
     */
    @Test
    void unpinnedDomainsStillFollowTheLargeMxAnswerOverTcp() {
        sendAndAwaitMxServers("unpinned@sender.test", "dave@unpinned.test");

        assertThat(relay.maillog())
                .containsPattern(
                        "to=<dave@unpinned\\.test>, relay="
                                + MX_PATTERN
                                + "\\[127\\.0\\.1\\.\\d+]:25");
        assertThat(wrongServerSawSender("unpinned@sender.test")).isFalse();
    }

    private Delivery sendAndAwaitMxServers(String from, String to) {
        Commands.Result sent = Swaks.send(netns, RELAY, null, from, to, "seed", null);
        assertThat(sent.exitCode()).as(sent.output()).isZero();
        return await("delivery from " + from + " at the MX servers")
                .atMost(Duration.ofSeconds(30))
                .until(
                        () ->
                                mxServers.deliveries().stream()
                                        .filter(d -> d.mailFrom().equals(from))
                                        .findFirst()
                                        .orElse(null),
                        d -> d != null && d.rcptTo().equals(List.of(to)));
    }

    private boolean wrongServerSawSender(String from) {
        return wrongServer.records().stream().anyMatch(record -> record.mailFrom().equals(from));
    }
}
