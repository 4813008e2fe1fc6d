package io.mailroute.relay;

import static io.mailroute.relay.fixtures.Configs.hop;
import static io.mailroute.relay.fixtures.Configs.relayVia;
import static io.mailroute.relay.fixtures.Configs.render;
import static io.mailroute.relay.fixtures.Configs.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailroute.postfix.PostfixConfig;
import io.mailroute.postfix.TlsLevel;
import io.mailroute.postfix.TransportRule;
import io.mailroute.postfix.TransportSettings;
import io.mailroute.relay.fixtures.Commands;
import io.mailroute.relay.fixtures.Delivery;
import io.mailroute.relay.fixtures.Loopback;
import io.mailroute.relay.fixtures.RelayInstance;
import io.mailroute.relay.fixtures.SmtpClient;
import io.mailroute.relay.fixtures.SmtpSink;
import io.mailroute.relay.fixtures.TestCa;
import io.mailroute.testing.RealComponents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Per-route delivery transports with real Postfix: a route with a rate delay gets its deliveries
 * spaced by the queue manager while an unpaced route next to it is not; a recipient limit splits
 * one message into several deliveries; implicit TLS reaches a port-465 style smarthost that speaks
 * TLS from the first byte, which the shared STARTTLS transport cannot.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@RealComponents
class RelayDeliveryControlTest {

    private static final Duration DELIVERY = Duration.ofSeconds(40);
    private static final int RATE_DELAY_SECONDS = 2;

    private final Map<String, List<Long>> arrivals = new ConcurrentHashMap<>();
    private SmtpSink paced;
    private SmtpSink free;
    private SmtpSink limited;
    private SmtpSink smtps;
    private final SmtpSink smarthost = SmtpSink.start(SmtpSink.Options.plain());
    private TransportRule pacedRule;
    private TransportRule smtpsRule;
    private RelayInstance relay;
    private Path caDir;

    @BeforeAll
    void startRelay() throws Exception {
        Commands.requireRootAndTools(
                "postfix", "postconf", "postmap", "postqueue", "busybox", "openssl");
        caDir = Files.createTempDirectory("mailroute-smtps-ca-");
        SSLContext tls =
                TestCa.serverContext(
                        TestCa.create(caDir, "mailroute smtps CA").issue("smtps.test"));
        paced = sink("paced", SmtpSink.Options.plain());
        free = sink("free", SmtpSink.Options.plain());
        limited = sink("limited", SmtpSink.Options.plain());
        smtps = sink("smtps", SmtpSink.Options.plain().withImplicitTls(tls));

        pacedRule =
                new TransportRule(
                        "paced.test",
                        false,
                        List.of(hop(paced.endpoint())),
                        TlsLevel.MAY,
                        null,
                        "mail/paced",
                        new TransportSettings(null, RATE_DELAY_SECONDS, null, false));
        TransportRule limitedRule =
                new TransportRule(
                        "limited.test",
                        false,
                        List.of(hop(limited.endpoint())),
                        TlsLevel.MAY,
                        null,
                        "mail/limited",
                        new TransportSettings(1, null, 2, false));
        smtpsRule =
                new TransportRule(
                        "smtps.test",
                        false,
                        List.of(hop(smtps.endpoint())),
                        TlsLevel.ENCRYPT,
                        null,
                        "mail/smtps",
                        new TransportSettings(null, null, null, true));
        // the same implicit-TLS peer through the shared transport (STARTTLS): must not get the mail
        TransportRule starttls =
                new TransportRule(
                        "starttls.test",
                        false,
                        List.of(hop(smtps.endpoint())),
                        TlsLevel.ENCRYPT,
                        null,
                        "mail/starttls");
        PostfixConfig config =
                render(
                        relayVia(smarthost.endpoint()),
                        pacedRule,
                        limitedRule,
                        smtpsRule,
                        starttls,
                        route("free.test", free.endpoint()));
        relay = RelayInstance.create().start(config);
    }

    private SmtpSink sink(String name, SmtpSink.Options options) {
        List<Long> times = new CopyOnWriteArrayList<>();
        arrivals.put(name, times);
        SmtpSink sink =
                new SmtpSink(
                        List.of(Loopback.newEndpoint()),
                        options,
                        d -> {
                            if (d.accepted()) {
                                times.add(System.nanoTime());
                            }
                        });
        sink.start();
        return sink;
    }

    @AfterAll
    void stopAll() throws Exception {
        if (relay != null) {
            relay.close();
        }
        for (SmtpSink sink : new SmtpSink[] {paced, free, limited, smtps, smarthost}) {
            if (sink != null) {
                sink.close();
            }
        }
        if (caDir != null) {
            try (var files = Files.walk(caDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void theRouteTransportIsLiveWithItsLimits() {
        String name = pacedRule.transport();
        assertThat(name).matches("mr[0-9a-f]{12}");
        assertThat(postconf("-M", name + "/unix")).startsWith(name + " ").contains("smtp");
        assertThat(postconf("-h", name + "_destination_rate_delay"))
                .isEqualTo(RATE_DELAY_SECONDS + "s");
        assertThat(postconf("-P", smtpsRule.transport() + "/unix/smtp_tls_wrappermode"))
                .endsWith("smtp_tls_wrappermode = yes");
    }

    @Test
    void aRateLimitedRouteSpacesItsDeliveriesAndAnUnpacedOneDoesNot() throws Exception {
        for (int i = 0; i < 4; i++) {
            SmtpClient.send(
                    relay.listen(),
                    "alice@sender.test",
                    List.of("bob" + i + "@paced.test"),
                    "paced-" + i);
            SmtpClient.send(
                    relay.listen(),
                    "alice@sender.test",
                    List.of("bob" + i + "@free.test"),
                    "free-" + i);
        }
        paced.awaitDeliveries(4, DELIVERY);
        free.awaitDeliveries(4, DELIVERY);

        List<Long> pacedGaps = gapsMillis(arrivals.get("paced"));
        List<Long> freeGaps = gapsMillis(arrivals.get("free"));
        System.out.printf(
                "gaps between deliveries: paced %s ms, unpaced %s ms%n", pacedGaps, freeGaps);
        assertThat(pacedGaps)
                .as("%d s rate delay between deliveries", RATE_DELAY_SECONDS)
                .allSatisfy(
                        gap ->
                                assertThat(gap)
                                        .isGreaterThanOrEqualTo(RATE_DELAY_SECONDS * 1000L - 300));
        assertThat(freeGaps.stream().mapToLong(Long::longValue).min().orElseThrow())
                .as("the unpaced route delivers back to back")
                .isLessThan(1000);
    }

    @Test
    void aRecipientLimitSplitsOneMessageIntoSeveralDeliveries() throws Exception {
        List<String> recipients =
                List.of(
                        "a@limited.test",
                        "b@limited.test",
                        "c@limited.test",
                        "d@limited.test",
                        "e@limited.test");
        SmtpClient.send(relay.listen(), "alice@sender.test", recipients, "limited-1");

        List<Delivery> deliveries = limited.awaitDeliveries(3, DELIVERY);
        assertThat(deliveries).allSatisfy(d -> assertThat(d.rcptTo()).hasSizeLessThanOrEqualTo(2));
        List<String> all = new ArrayList<>();
        deliveries.forEach(d -> all.addAll(d.rcptTo()));
        assertThat(all).containsExactlyInAnyOrderElementsOf(recipients);
    }

    @Test
    void implicitTlsReachesAPort465SmarthostThatStartTlsCannot() throws Exception {
        SmtpClient.send(
                relay.listen(), "alice@sender.test", List.of("carol@smtps.test"), "smtps-1");
        SmtpClient.send(
                relay.listen(), "alice@sender.test", List.of("dave@starttls.test"), "starttls-1");

        Delivery delivery = smtps.awaitSubject("smtps-1", DELIVERY);
        assertThat(delivery.tls()).as("encrypted from the first byte").isTrue();
        assertThat(delivery.rcptTo()).containsExactly("carol@smtps.test");
        // Without wrappermode Postfix waits for a banner the peer never sends (it waits for a TLS
        // handshake): the
        // message stays queued, nothing arrives.
        await("no delivery to the implicit-TLS peer without implicit TLS")
                .during(Duration.ofSeconds(5))
                .atMost(Duration.ofSeconds(10))
                .until(() -> smtps.withSubject("starttls-1") == null);
        assertThat(relay.maillog())
                .doesNotContain("to=<dave@starttls.test>, relay=" + smtps.endpoint().address());
    }

    /**
     * A route that gets (and later loses) its own transport on a running relay: the reload starts
     * the new master.cf service, the limits apply at once, and removing the transport again keeps
     * mail flowing.
     */
    @Test
    void aRouteTransportComesAndGoesByReload() throws Exception {
        List<Long> times = new CopyOnWriteArrayList<>();
        try (SmtpSink sink =
                new SmtpSink(
                        List.of(Loopback.newEndpoint()),
                        SmtpSink.Options.plain(),
                        d -> times.add(System.nanoTime()))) {
            sink.start();
            TransportRule shared =
                    new TransportRule(
                            "reload.test",
                            false,
                            List.of(hop(sink.endpoint())),
                            TlsLevel.MAY,
                            null,
                            "mail/reload");
            TransportRule own =
                    new TransportRule(
                            "reload.test",
                            false,
                            List.of(hop(sink.endpoint())),
                            TlsLevel.MAY,
                            null,
                            "mail/reload",
                            new TransportSettings(null, RATE_DELAY_SECONDS, null, false));
            PostfixConfig before = render(relayVia(smarthost.endpoint()), shared);
            PostfixConfig with = render(relayVia(smarthost.endpoint()), own);
            try (RelayInstance running = RelayInstance.create().start(before)) {
                SmtpClient.send(
                        running.listen(),
                        "alice@sender.test",
                        List.of("x@reload.test"),
                        "reload-0");
                sink.awaitSubject("reload-0", DELIVERY);

                running.publish(with);
                running.awaitLive(RelayInstance.hashOf(with));
                assertThat(
                                Commands.runOk(
                                                List.of(
                                                        "postconf",
                                                        "-c",
                                                        running.configDir().toString(),
                                                        "-M",
                                                        own.transport() + "/unix"),
                                                Duration.ofSeconds(20))
                                        .output())
                        .startsWith(own.transport());
                times.clear();
                for (int i = 1; i <= 3; i++) {
                    SmtpClient.send(
                            running.listen(),
                            "alice@sender.test",
                            List.of("x@reload.test"),
                            "reload-" + i);
                }
                sink.awaitDeliveries(4, DELIVERY);
                assertThat(gapsMillis(times))
                        .allSatisfy(
                                gap ->
                                        assertThat(gap)
                                                .isGreaterThanOrEqualTo(
                                                        RATE_DELAY_SECONDS * 1000L - 300));
                assertThat(running.maillog()).contains("postfix/" + own.transport() + "/smtp[");

                running.publish(before);
                running.awaitLive(RelayInstance.hashOf(before));
                SmtpClient.send(
                        running.listen(),
                        "alice@sender.test",
                        List.of("x@reload.test"),
                        "reload-back");
                sink.awaitSubject("reload-back", DELIVERY);
                assertThat(
                                Commands.run(
                                                List.of(
                                                        "postconf",
                                                        "-c",
                                                        running.configDir().toString(),
                                                        "-M",
                                                        own.transport() + "/unix"),
                                                java.util.Map.of(),
                                                Duration.ofSeconds(20))
                                        .stdout())
                        .isBlank();
            }
        }
    }

    /**
     * A ConfigMap cannot smuggle any other master.cf service in: the relay refuses it and keeps the
     * last good one.
     */
    @Test
    void masterServicesOtherThanRouteTransportsAreRefused() {
        PostfixConfig good =
                render(relayVia(smarthost.endpoint()), route("free.test", free.endpoint()));
        try (RelayInstance running = RelayInstance.create().start(good)) {
            java.util.Map<String, String> files = new java.util.TreeMap<>(good.publicFiles());
            files.put(
                    PostfixConfig.MASTER_SERVICES,
                    "evil unix - n n - - pipe\n  flags=q user=nobody argv=/bin/sh -c id\n");
            running.publish(files, null);
            await("refused")
                    .atMost(DELIVERY)
                    .until(() -> "refused".equals(running.status().get("state")));
            assertThat(running.status().get("message"))
                    .contains(
                            "master_services may only declare route transports",
                            "evil unix - n n - - pipe")
                    .contains("live configuration: " + RelayInstance.hashOf(good));
            assertThat(running.status()).containsEntry("live", RelayInstance.hashOf(good));
            assertThat(
                            Commands.run(
                                            List.of(
                                                    "postconf",
                                                    "-c",
                                                    running.configDir().toString(),
                                                    "-M",
                                                    "evil/unix"),
                                            java.util.Map.of(),
                                            Duration.ofSeconds(20))
                                    .stdout())
                    .isBlank();
        }
    }

    private String postconf(String... args) {
        List<String> command =
                new ArrayList<>(List.of("postconf", "-c", relay.configDir().toString()));
        command.addAll(List.of(args));
        return Commands.runOk(command, Duration.ofSeconds(20)).output().strip();
    }

    private static List<Long> gapsMillis(List<Long> times) {
        List<Long> sorted = times.stream().sorted().toList();
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < sorted.size(); i++) {
            gaps.add((sorted.get(i) - sorted.get(i - 1)) / 1_000_000);
        }
        return gaps;
    }
}
