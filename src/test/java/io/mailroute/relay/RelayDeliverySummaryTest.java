package io.mailroute.relay;

import static io.mailroute.relay.fixtures.Configs.relayVia;
import static io.mailroute.relay.fixtures.Configs.render;
import static io.mailroute.relay.fixtures.Configs.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailroute.postfix.PostfixConfig;
import io.mailroute.postfix.TlsLevel;
import io.mailroute.postfix.TransportRule;
import io.mailroute.relay.fixtures.Commands;
import io.mailroute.relay.fixtures.Configs;
import io.mailroute.relay.fixtures.Loopback;
import io.mailroute.relay.fixtures.RelayInstance;
import io.mailroute.relay.fixtures.SmtpClient;
import io.mailroute.relay.fixtures.SmtpSink;
import io.mailroute.testing.RealComponents;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The relay's own delivery summary ({@code GET /delivery} on the status endpoint, written by
 * delivery-summary.pl from the Postfix log and queue): per routed domain the results of recent
 * delivery attempts, the last reply and the queue depth, with real Postfix delivering to real SMTP
 * peers on loopback. No recipient or sender address ever appears in it, not even when the next hop
 * quotes one in its reply.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@RealComponents
class RelayDeliverySummaryTest {

    private static final Duration SUMMARY = Duration.ofSeconds(30);
    private static final String REFUSAL =
            "550 5.7.57 Client not authenticated to send mail <victim@refused.test>";

    private final SmtpSink healthy = SmtpSink.start(SmtpSink.Options.plain());
    private final SmtpSink refusing =
            SmtpSink.start(SmtpSink.Options.plain().refusingMail(REFUSAL));
    private final SmtpSink smarthost = SmtpSink.start(SmtpSink.Options.plain());
    private final Loopback.Endpoint statusEndpoint = Loopback.newEndpoint();
    private HangingPeer hanging;
    private RelayInstance relay;

    @BeforeAll
    void startRelay() throws IOException {
        Commands.requireRootAndTools(
                "postfix", "postconf", "postmap", "postqueue", "busybox", "perl");
        hanging = new HangingPeer(Loopback.newEndpoint());
        TransportRule withSubdomains =
                new TransportRule(
                        "sub.test",
                        true,
                        List.of(Configs.hop(healthy.endpoint())),
                        TlsLevel.MAY,
                        null,
                        "mail/sub");
        PostfixConfig config =
                render(
                        relayVia(smarthost.endpoint()),
                        route("ok.test", healthy.endpoint()),
                        route("refused.test", refusing.endpoint()),
                        route("slow.test", hanging.endpoint),
                        withSubdomains);
        relay =
                RelayInstance.create(Loopback.newEndpoint(), statusEndpoint, List.of())
                        .withEnvironment("RELAY_QUEUE_SCAN_SECONDS", "1")
                        .start(config);
    }

    @AfterAll
    void stopAll() throws IOException {
        if (relay != null) {
            relay.close();
        }
        List.of(healthy, refusing, smarthost).forEach(SmtpSink::close);
        if (hanging != null) {
            hanging.close();
        }
    }

    @Test
    void deliveredMailCountsUnderItsRoutedDomainAndEverythingElseUnderTheDefaultBucket()
            throws Exception {
        SmtpClient.send(relay.listen(), "alice@sender.test", List.of("bob@ok.test"), "ok-1");
        SmtpClient.send(
                relay.listen(), "alice@sender.test", List.of("carol@deep.sub.sub.test"), "sub-1");
        SmtpClient.send(
                relay.listen(), "alice@sender.test", List.of("erin@elsewhere.test"), "default-1");

        Map<String, Map<String, String>> domains =
                awaitSummary(
                        d ->
                                sent(d, "ok.test") >= 1
                                        && sent(d, "sub.test") >= 1
                                        && sent(d, "*") >= 1);
        assertThat(domains.get("ok.test"))
                .containsEntry("last", "sent")
                .containsEntry("dsn", "2.0.0")
                .containsEntry("bounced", "0")
                .containsEntry("deferred", "0")
                .containsEntry(
                        "via",
                        healthy.endpoint().address()
                                + "["
                                + healthy.endpoint().address()
                                + "]:"
                                + healthy.endpoint().port());
        assertThat(domains.get("ok.test").get("reply")).startsWith("250 ");
        assertThat(domains).doesNotContainKeys("deep.sub.sub.test", "elsewhere.test");
        assertThat(body())
                .doesNotContain("bob", "carol", "erin", "alice", "elsewhere.test", "deep.sub");
    }

    @Test
    void aRefusingNextHopShowsItsReplyWithoutTheAddressItQuoted() throws Exception {
        SmtpClient.send(
                relay.listen(), "alice@sender.test", List.of("dave@refused.test"), "refused-1");

        Map<String, Map<String, String>> domains =
                awaitSummary(d -> count(d, "refused.test", "bounced") >= 1);
        Map<String, String> refused = domains.get("refused.test");
        assertThat(refused)
                .containsEntry("last", "bounced")
                .containsEntry("dsn", "5.7.57")
                .containsEntry("sent", "0");
        assertThat(refused.get("reply"))
                .startsWith("550 5.7.57 Client not authenticated to send mail <redacted>")
                .contains("(in reply to MAIL FROM command)");
        assertThat(refused.get("last_at")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(body()).doesNotContain("victim", "dave", "alice", "@");
    }

    @Test
    void aNextHopThatDoesNotAnswerShowsQueueGrowth() throws Exception {
        for (int i = 0; i < 3; i++) {
            SmtpClient.send(
                    relay.listen(),
                    "alice@sender.test",
                    List.of("frank" + i + "@slow.test"),
                    "slow-" + i);
        }
        Map<String, Map<String, String>> domains =
                awaitSummary(d -> count(d, "slow.test", "queued") >= 3);
        assertThat(domains.get("slow.test")).containsEntry("sent", "0");
        assertThat(hanging.connections())
                .as("Postfix is stuck talking to the next hop")
                .isPositive();
    }

    /**
     * The image's settings: whenever RELAY_MAILLOG_MAX_BYTES more of the log file were read, the
     * disk space of what was read is given back (a hole), every line is copied to stdout first, and
     * postlogd (which appends) goes on writing at the end: counting never stops.
     */
    @Test
    void aBoundedLogGivesBackWhatWasReadAndIsStillCountedAndEchoed() throws Exception {
        Loopback.Endpoint status = Loopback.newEndpoint();
        PostfixConfig config =
                render(relayVia(smarthost.endpoint()), route("ok.test", healthy.endpoint()));
        try (RelayInstance small =
                RelayInstance.create(Loopback.newEndpoint(), status, List.of())
                        .withEnvironment("RELAY_MAILLOG_MAX_BYTES", "3000")
                        .withEnvironment("RELAY_MAILLOG_ECHO", "1")
                        .start(config)) {
            for (int i = 0; i < 16; i++) {
                SmtpClient.send(
                        small.listen(),
                        "alice@sender.test",
                        List.of("bob" + i + "@ok.test"),
                        "small-" + i);
            }
            await("16 deliveries counted")
                    .atMost(SUMMARY)
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> sent(domains(body(status)), "ok.test") >= 16);
            String echoed = small.entrypointLog();
            assertThat(echoed.length()).as("what Postfix logged").isGreaterThan(10_000);
            String maillog = small.maillog();
            String unread = maillog.replaceFirst("^\0+", "");
            assertThat(small.maillogDiskBytes())
                    .as("disk space the log file holds; it is %d bytes long", maillog.length())
                    .isLessThan(3000 + 3 * 4096);
            assertThat(unread)
                    .as("after the hole: whole lines that postlogd appended")
                    .doesNotContain("\0")
                    .hasSizeLessThan(3000 + 4096);
            assertThat(echoed)
                    .as("every line went to stdout")
                    .contains("to=<bob0@ok.test>", "to=<bob15@ok.test>");
        }
    }

    private Map<String, Map<String, String>> awaitSummary(
            java.util.function.Predicate<Map<String, Map<String, String>>> condition) {
        try {
            return await("delivery summary")
                    .atMost(SUMMARY)
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> domains(body()), condition);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(
                    e.getMessage() + "\n--- delivery ---\n" + bodyQuietly() + relay.diagnostics(),
                    e);
        }
    }

    private String bodyQuietly() {
        try {
            return body();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private String body() throws IOException, InterruptedException {
        return body(statusEndpoint);
    }

    private static String body(Loopback.Endpoint endpoint)
            throws IOException, InterruptedException {
        HttpResponse<String> response =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create("http://" + endpoint + "/delivery"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    /** domain -> its key=value pairs; reply runs to the end of the line. */
    static Map<String, Map<String, String>> domains(String body) {
        Map<String, Map<String, String>> domains = new TreeMap<>();
        for (String line : body.split("\n")) {
            if (!line.startsWith("domain=")) {
                continue;
            }
            Map<String, String> fields = new TreeMap<>();
            String rest = line;
            int reply = rest.indexOf(" reply=");
            if (reply >= 0) {
                fields.put("reply", rest.substring(reply + " reply=".length()));
                rest = rest.substring(0, reply);
            }
            for (String pair : rest.split(" ")) {
                int eq = pair.indexOf('=');
                fields.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
            domains.put(fields.get("domain"), fields);
        }
        return domains;
    }

    private static int sent(Map<String, Map<String, String>> domains, String domain) {
        return count(domains, domain, "sent");
    }

    private static int count(Map<String, Map<String, String>> domains, String domain, String key) {
        Map<String, String> fields = domains.get(domain);
        return fields == null ? 0 : Integer.parseInt(fields.getOrDefault(key, "0"));
    }

    /**
     * A next hop that accepts TCP connections and never says a word: mail to it stays in the active
     * queue.
     */
    static final class HangingPeer implements AutoCloseable {
        final Loopback.Endpoint endpoint;
        private final ServerSocket server = new ServerSocket();
        private final List<Socket> held = new CopyOnWriteArrayList<>();

        HangingPeer(Loopback.Endpoint endpoint) throws IOException {
            this.endpoint = endpoint;
            server.setReuseAddress(true);
            server.bind(
                    new InetSocketAddress(
                            InetAddress.getByName(endpoint.address()), endpoint.port()),
                    50);
            Thread thread =
                    new Thread(
                            () -> {
                                while (!server.isClosed()) {
                                    try {
                                        held.add(server.accept());
                                    } catch (IOException e) {
                                        return;
                                    }
                                }
                            },
                            "hanging-peer");
            thread.setDaemon(true);
            thread.start();
        }

        int connections() {
            return held.size();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : held) {
                socket.close();
            }
        }
    }
}
