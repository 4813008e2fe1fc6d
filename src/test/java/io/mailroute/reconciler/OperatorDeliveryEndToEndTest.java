package io.mailroute.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mailroute.api.v1alpha1.DomainDelivery;
import io.mailroute.api.v1alpha1.DomainStatus;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.NextHopHost;
import io.mailroute.api.v1alpha1.ValidationPolicy;
import io.mailroute.relay.fixtures.Commands;
import io.mailroute.relay.fixtures.Loopback;
import io.mailroute.relay.fixtures.RelayInstance;
import io.mailroute.relay.fixtures.SmtpClient;
import io.mailroute.relay.fixtures.SmtpSink;
import io.mailroute.testing.ControlPlaneResource;
import io.mailroute.testing.KnotResource;
import io.mailroute.testing.OperatorAssertions;
import io.mailroute.testing.RealComponents;
import io.mailroute.testing.Resources;
import io.mailroute.testing.TestNamespace;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Delivery health where the route is declared, with real components: the operator on the real API
 * server, the relay image's entrypoint running real Postfix with the operator's ConfigMap, and SMTP
 * peers on loopback. A next hop that refuses with {@code 550 5.7.57} turns its route's {@code
 * Delivering} False with that reply in status within a bounded time, while a healthy route next to
 * it stays True; no recipient address reaches status or metrics.
 */
@RealComponents
@QuarkusTest
@WithTestResource(ControlPlaneResource.class)
@WithTestResource(KnotResource.class)
class OperatorDeliveryEndToEndTest {
    /**
     * Relay log to summary (~1 s) + pod poll (2 s in tests) + route wake-up and status patch, with
     * room for a busy machine.
     */
    private static final Duration BOUNDED = Duration.ofSeconds(30);

    private static final String REFUSAL = "550 5.7.57 Client not authenticated to send mail";

    static {
        OperatorAssertions.waitPatiently(Duration.ofSeconds(40));
    }

    @Inject KubernetesClient client;

    TestNamespace ns;
    final SmtpSink healthy = SmtpSink.start(SmtpSink.Options.plain());
    final SmtpSink refusing = SmtpSink.start(SmtpSink.Options.plain().refusingMail(REFUSAL));
    final Loopback.Endpoint statusEndpoint = Loopback.newEndpoint();
    RelayInstance relay;

    @BeforeEach
    void setUp() {
        Commands.requireRootAndTools(
                "postfix", "postconf", "postmap", "postqueue", "busybox", "perl");
        ns = TestNamespace.create(client);
    }

    @AfterEach
    void tearDown() {
        if (relay != null) {
            relay.close();
        }
        healthy.close();
        refusing.close();
        ns.close();
    }

    @Test
    void aRefusingNextHopTurnsItsRouteNotDeliveringWithTheReplyWhileAHealthyRouteDelivers()
            throws Exception {
        MailRelay relayResource = client.resource(Resources.relay(ns.name(), "relay")).create();
        client.resource(route("good", "good.test", healthy.endpoint())).create();
        client.resource(route("bad", "bad.test", refusing.endpoint())).create();
        ConfigMap written =
                await().until(
                                this::configMap,
                                cm ->
                                        cm != null
                                                && cm.getData()
                                                        .get("transport")
                                                        .contains(healthy.endpoint().address())
                                                && cm.getData()
                                                        .get("transport")
                                                        .contains(refusing.endpoint().address()));
        await().untilAsserted(
                        () ->
                                assertCondition(
                                        route("good"),
                                        "Delivering",
                                        "Unknown",
                                        "NoDeliveryReport"));

        relay =
                RelayInstance.create(Loopback.newEndpoint(), statusEndpoint, List.of())
                        .withEnvironment("RELAY_QUEUE_SCAN_SECONDS", "1");
        relay.publish(written.getData(), null);
        relay.launch();
        relay.awaitLive(written.getData().get("config-hash"));
        runningPod(relayResource);
        await().untilAsserted(
                        () ->
                                assertCondition(
                                        route("good"),
                                        "Delivering",
                                        "Unknown",
                                        "NoRecentAttempts"));

        SmtpClient.send(relay.listen(), "app@cluster.test", List.of("alice@good.test"), "good-1");
        healthy.awaitSubject("good-1", Duration.ofSeconds(20));
        await().atMost(BOUNDED)
                .untilAsserted(
                        () -> {
                            MailRoute good = route("good");
                            assertCondition(good, "Delivering", "True", "Delivered");
                            assertThat(delivery(good, "good.test"))
                                    .satisfies(
                                            d -> {
                                                assertThat(d.sent).isEqualTo(1);
                                                assertThat(d.lastResult).isEqualTo("sent");
                                                assertThat(d.pods).isEqualTo(1);
                                                assertThat(d.windowSeconds).isEqualTo(600);
                                            });
                            assertThat(good.getStatus().delivery)
                                    .isEqualTo("sent 1, deferred 0, bounced 0, queued 0 (10m)");
                        });

        // One refusal is not enough (never False on a single failure) ...
        SmtpClient.send(relay.listen(), "app@cluster.test", List.of("bob@bad.test"), "bad-1");
        await().atMost(BOUNDED)
                .untilAsserted(
                        () -> assertThat(delivery(route("bad"), "bad.test").bounced).isEqualTo(1));
        assertThat(route("bad").getStatus().conditions)
                .noneMatch(c -> "Delivering".equals(c.getType()) && "False".equals(c.getStatus()));
        // ... three are.
        SmtpClient.send(relay.listen(), "app@cluster.test", List.of("carol@bad.test"), "bad-2");
        SmtpClient.send(relay.listen(), "app@cluster.test", List.of("dave@bad.test"), "bad-3");
        long sent = System.nanoTime();
        await().atMost(BOUNDED)
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(
                        () -> {
                            MailRoute bad = route("bad");
                            Condition delivering =
                                    assertCondition(
                                            bad, "Delivering", "False", "DeliveriesBouncing");
                            assertThat(delivering.getMessage())
                                    .contains(
                                            "bad.test on " + ns.name() + "/relay",
                                            "3 of 3 attempts",
                                            REFUSAL);
                            DomainDelivery d = delivery(bad, "bad.test");
                            assertThat(d.bounced).isEqualTo(3);
                            assertThat(d.lastResult).isEqualTo("bounced");
                            assertThat(d.lastDsn).isEqualTo("5.7.57");
                            assertThat(d.lastReply)
                                    .startsWith(REFUSAL)
                                    .contains("(in reply to MAIL FROM command)");
                            assertThat(d.lastTime).isNotNull();
                        });
        System.out.printf(
                "Delivering=False %d ms after the third refused message was handed to the relay%n",
                (System.nanoTime() - sent) / 1_000_000);
        assertCondition(route("good"), "Delivering", "True", "Delivered");
        String statuses =
                client.resources(MailRoute.class).inNamespace(ns.name()).list().getItems().stream()
                        .map(
                                r ->
                                        io.fabric8.kubernetes.client.utils.Serialization.asJson(
                                                r.getStatus()))
                        .toList()
                        .toString();
        assertThat(statuses).contains("5.7.57");
        assertThat(statuses).doesNotContain("alice", "bob", "carol", "dave", "app@");

        String metrics = metrics();
        assertThat(metrics)
                .containsPattern(
                        "(?m)^mailroute_delivery_recent\\{domain=\"bad.test\",relay=\""
                                + ns.name()
                                + "/relay\",result=\"bounced\"} 3")
                .containsPattern(
                        "(?m)^mailroute_delivery_recent\\{domain=\"good.test\",relay=\""
                                + ns.name()
                                + "/relay\",result=\"sent\"} 1")
                .containsPattern(
                        "(?m)^mailroute_routes\\{condition=\"Delivering\",status=\"False\"} [1-9]")
                .doesNotContain("alice", "carol@");
    }

    /**
     * spec.delivery end to end: the operator renders the route's own transport (master_services and
     * its main.cf limits) into the ConfigMap, the relay validates and installs it with exactly the
     * operator's config hash, and mail reaches an implicit-TLS (port 465 style) smarthost encrypted
     * from the first byte, paced by the rate delay.
     */
    @Test
    void deliverySettingsReachTheRelayAndMailGoesOutOverImplicitTls(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path ca) throws Exception {
        Commands.requireRootAndTools("openssl");
        javax.net.ssl.SSLContext tls =
                io.mailroute.relay.fixtures.TestCa.serverContext(
                        io.mailroute.relay.fixtures.TestCa.create(ca, "mailroute smtps CA")
                                .issue("smtps.test"));
        List<Long> arrivals = new java.util.concurrent.CopyOnWriteArrayList<>();
        SmtpSink smtps =
                new SmtpSink(
                        List.of(Loopback.newEndpoint()),
                        SmtpSink.Options.plain().withImplicitTls(tls),
                        d -> arrivals.add(System.nanoTime()));
        smtps.start();
        try (smtps) {
            MailRelay relayResource = client.resource(Resources.relay(ns.name(), "relay")).create();
            MailRoute route = route("smtps", "smtps.test", smtps.endpoint());
            route.getSpec().target.hosts = null;
            route.getSpec().target.relay =
                    new io.mailroute.api.v1alpha1.SmarthostTarget(
                            smtps.endpoint().address(), smtps.endpoint().port());
            route.getSpec().tls = io.mailroute.api.v1alpha1.TlsPolicy.ENCRYPT;
            route.getSpec().delivery = new io.mailroute.api.v1alpha1.DeliverySettings();
            route.getSpec().delivery.implicitTls = true;
            route.getSpec().delivery.rateDelaySeconds = 1;
            route.getSpec().delivery.concurrency = 2;
            client.resource(route).create();
            ConfigMap written =
                    await().until(
                                    this::configMap,
                                    cm ->
                                            cm != null
                                                    && cm.getData().containsKey("master_services"));
            assertThat(written.getData().get("master_services"))
                    .contains("-o smtp_tls_wrappermode=yes");
            assertThat(written.getData().get("main.cf"))
                    .containsPattern("mr[0-9a-f]{12}_destination_rate_delay = 1s");
            assertThat(written.getData().get("transport"))
                    .containsPattern("smtps.test mr[0-9a-f]{12}:\\[");

            relay = RelayInstance.create(Loopback.newEndpoint(), statusEndpoint, List.of());
            relay.publish(written.getData(), null);
            relay.launch();
            relay.awaitLive(written.getData().get("config-hash"));
            runningPod(relayResource);
            await().untilAsserted(
                            () ->
                                    OperatorAssertions.assertCondition(
                                            client.resources(MailRelay.class)
                                                    .inNamespace(ns.name())
                                                    .withName("relay")
                                                    .get()
                                                    .getStatus()
                                                    .conditions,
                                            "Programmed",
                                            "True",
                                            "ConfigLive"));

            for (int i = 0; i < 3; i++) {
                SmtpClient.send(
                        relay.listen(),
                        "app@cluster.test",
                        List.of("u" + i + "@smtps.test"),
                        "smtps-" + i);
            }
            List<io.mailroute.relay.fixtures.Delivery> deliveries =
                    smtps.awaitDeliveries(3, Duration.ofSeconds(30));
            assertThat(deliveries).allSatisfy(d -> assertThat(d.tls()).isTrue());
            List<Long> sorted = arrivals.stream().sorted().toList();
            for (int i = 1; i < sorted.size(); i++) {
                assertThat((sorted.get(i) - sorted.get(i - 1)) / 1_000_000)
                        .as("1 s rate delay")
                        .isGreaterThanOrEqualTo(700);
            }
            await().atMost(BOUNDED)
                    .untilAsserted(
                            () ->
                                    assertCondition(
                                            route("smtps"), "Delivering", "True", "Delivered"));
        }
    }

    private static DomainDelivery delivery(MailRoute route, String domain) {
        DomainStatus status =
                route.getStatus().domains.stream()
                        .filter(d -> domain.equals(d.domain))
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new AssertionError(
                                                "no status for "
                                                        + domain
                                                        + ": "
                                                        + route.getStatus().domains));
        assertThat(status.delivery).as("delivery of %s", domain).isNotNull();
        return status.delivery;
    }

    private MailRoute route(String name) {
        return client.resources(MailRoute.class).inNamespace(ns.name()).withName(name).get();
    }

    private static Condition assertCondition(
            MailRoute route, String type, String status, String reason) {
        assertThat(route.getStatus()).as("status of %s", route.getMetadata().getName()).isNotNull();
        return OperatorAssertions.assertCondition(
                route.getStatus().conditions, type, status, reason);
    }

    /**
     * A pod object as the StatefulSet would create it, marked Ready at the relay's loopback
     * address.
     */
    private void runningPod(MailRelay relay) {
        Resources.runningRelayPod(client, relay, statusEndpoint.address(), statusEndpoint.port());
    }

    private MailRoute route(String name, String domain, Loopback.Endpoint nextHop) {
        MailRoute route =
                Resources.pinnedRoute(ns.name(), name, "relay", nextHop.address(), domain);
        route.getSpec().target.hosts =
                List.of(new NextHopHost(nextHop.address(), nextHop.port(), false));
        route.getSpec().validation = ValidationPolicy.Off;
        return route;
    }

    private ConfigMap configMap() {
        return client.configMaps().inNamespace(ns.name()).withName("relay-config").get();
    }

    private static String metrics() throws Exception {
        java.net.http.HttpResponse<String> response =
                java.net.http.HttpClient.newHttpClient()
                        .send(
                                java.net.http.HttpRequest.newBuilder(
                                                java.net.URI.create(
                                                        "http://localhost:"
                                                                + org.eclipse.microprofile.config
                                                                        .ConfigProvider.getConfig()
                                                                        .getValue(
                                                                                "quarkus.http.test-port",
                                                                                Integer.class)
                                                                + "/q/metrics"))
                                        .build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString());
        return response.body();
    }
}
