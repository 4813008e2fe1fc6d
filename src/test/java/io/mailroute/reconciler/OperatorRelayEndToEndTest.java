package io.mailroute.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
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
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole chain with real components: the operator on the real API server renders a route into
 * the relay's ConfigMap; the relay image's entrypoint runs real Postfix with exactly that
 * ConfigMap; a pod object points the operator at the relay's status endpoint, and MailRelay
 * Programmed turns True only once the relay reports the configuration live. Mail then reaches the
 * route's next hop, and follows a route change applied by reload.
 */
@QuarkusTest
@WithTestResource(ControlPlaneResource.class)
@WithTestResource(KnotResource.class)
@RealComponents
class OperatorRelayEndToEndTest {
    static {
        OperatorAssertions.waitPatiently(Duration.ofSeconds(40));
    }

    @Inject KubernetesClient client;

    TestNamespace ns;
    final SmtpSink first = SmtpSink.start(SmtpSink.Options.plain());
    final SmtpSink second = SmtpSink.start(SmtpSink.Options.plain());
    final Loopback.Endpoint statusEndpoint = Loopback.newEndpoint();
    RelayInstance relay;

    @BeforeEach
    void setUp() {
        Commands.requireRootAndTools("postfix", "postconf", "postmap", "postqueue", "busybox");
        ns = TestNamespace.create(client);
    }

    @AfterEach
    void tearDown() {
        if (relay != null) {
            relay.close();
        }
        first.close();
        second.close();
        ns.close();
    }

    @Test
    void programmedMeansLiveInTheRelayAndMailFollowsTheRoute() throws Exception {
        MailRelay relayResource = client.resource(Resources.relay(ns.name(), "relay")).create();
        client.resource(route(first.endpoint())).create();
        ConfigMap written =
                await().until(
                                this::configMap,
                                cm ->
                                        cm != null
                                                && cm.getData()
                                                        .get("transport")
                                                        .contains(first.endpoint().address()));

        relay = RelayInstance.create(Loopback.newEndpoint(), statusEndpoint, List.of());
        relay.publish(written.getData(), null);
        relay.launch();
        relay.awaitLive(written.getData().get("config-hash"));
        runningPod(relayResource);

        await().untilAsserted(
                        () -> {
                            MailRelay current =
                                    client.resources(MailRelay.class)
                                            .inNamespace(ns.name())
                                            .withName("relay")
                                            .get();
                            assertThat(current.getStatus().pods)
                                    .singleElement()
                                    .satisfies(
                                            p -> {
                                                assertThat(p.state).isEqualTo("running");
                                                assertThat(p.liveHash)
                                                        .isEqualTo(current.getStatus().configHash);
                                            });
                            assertCondition(current, "Programmed", "True", "ConfigLive");
                        });
        SmtpClient.send(
                relay.listen(), "app@cluster.test", List.of("user@e2e.test"), "before-change");
        assertThat(first.awaitSubject("before-change", Duration.ofSeconds(20)).rcptTo())
                .containsExactly("user@e2e.test");

        // Change the route on the API server while mail is flowing: the relay is Programmed again
        // only when the
        // new config is live, and every message sent meanwhile arrives exactly once at one of the
        // two next hops.
        List<String> sent = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.atomic.AtomicBoolean flowing =
                new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread sender =
                new Thread(
                        () -> {
                            for (int i = 0; flowing.get() && i < 200; i++) {
                                try {
                                    SmtpClient.send(
                                            relay.listen(),
                                            "app@cluster.test",
                                            List.of("user@e2e.test"),
                                            "flow-" + i);
                                    sent.add("flow-" + i);
                                    Thread.sleep(100);
                                } catch (Exception e) {
                                    return;
                                }
                            }
                        });
        sender.start();
        await().untilAsserted(
                        () ->
                                client.resources(MailRoute.class)
                                        .inNamespace(ns.name())
                                        .withName("e2e")
                                        .edit(
                                                r -> {
                                                    r.getSpec().target.hosts =
                                                            List.of(host(second.endpoint()));
                                                    return r;
                                                }));
        ConfigMap changed =
                await().until(
                                this::configMap,
                                cm ->
                                        cm.getData()
                                                .get("transport")
                                                .contains(second.endpoint().address()));
        await().untilAsserted(
                        () ->
                                assertCondition(
                                        client.resources(MailRelay.class)
                                                .inNamespace(ns.name())
                                                .withName("relay")
                                                .get(),
                                        "Programmed",
                                        "False",
                                        "ConfigPending"));
        relay.publish(changed.getData(), null);
        await().untilAsserted(
                        () -> {
                            MailRelay current =
                                    client.resources(MailRelay.class)
                                            .inNamespace(ns.name())
                                            .withName("relay")
                                            .get();
                            assertThat(current.getStatus().configHash)
                                    .isEqualTo(changed.getData().get("config-hash"));
                            assertCondition(current, "Programmed", "True", "ConfigLive");
                        });
        SmtpClient.send(
                relay.listen(), "app@cluster.test", List.of("user@e2e.test"), "after-change");
        assertThat(second.awaitSubject("after-change", Duration.ofSeconds(20)).rcptTo())
                .containsExactly("user@e2e.test");
        flowing.set(false);
        sender.join(30_000);
        assertThat(sent).hasSizeGreaterThan(5);
        await().untilAsserted(() -> assertThat(subjects(first, second)).containsAll(sent));
        List<String> flowDelivered =
                subjects(first, second).stream().filter(x -> x.startsWith("flow-")).toList();
        assertThat(flowDelivered)
                .as("each message exactly once")
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(sent);
        assertThat(subjects(second))
                .as("new mail goes to the new next hop")
                .anyMatch(x -> x.startsWith("flow-"));
        assertThat(subjects(first))
                .as("the old next hop gets nothing after the change")
                .doesNotContain("after-change");
    }

    /**
     * Credentials end to end: the relay mounts exactly the operator's ConfigMap and {@code
     * relay-sasl} Secret, computes the keyed config hash from them (with the Secret's {@code
     * hash-key}) and reaches the operator's config-hash, and authenticates to the smarthost with
     * the credentials of a labelled Secret.
     */
    @Test
    void credentialsFromTheOperatorsSecretGoLiveAndAuthenticate(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path ca) throws Exception {
        Commands.requireRootAndTools("openssl");
        javax.net.ssl.SSLContext tls =
                io.mailroute.relay.fixtures.TestCa.serverContext(
                        io.mailroute.relay.fixtures.TestCa.create(ca, "mailroute e2e CA")
                                .issue("smarthost.test"));
        try (SmtpSink smarthost =
                SmtpSink.start(
                        SmtpSink.Options.plain()
                                .withTls(tls)
                                .withAuth("e2e-user", "e2e:Pa55-word"))) {
            MailRelay relayResource = client.resource(Resources.relay(ns.name(), "relay")).create();
            client.resource(
                            new io.fabric8.kubernetes.api.model.SecretBuilder()
                                    .withNewMetadata()
                                    .withName("auth")
                                    .withNamespace(ns.name())
                                    .addToLabels("mailroute.io/credentials", "true")
                                    .endMetadata()
                                    .withType("kubernetes.io/basic-auth")
                                    .withStringData(
                                            Map.of(
                                                    "username",
                                                    "e2e-user",
                                                    "password",
                                                    "e2e:Pa55-word"))
                                    .build())
                    .create();
            MailRoute route =
                    Resources.pinnedRoute(ns.name(), "e2e", "relay", "unused.example", "e2e.test");
            route.getSpec().target = new io.mailroute.api.v1alpha1.RouteTarget();
            route.getSpec().target.relay =
                    new io.mailroute.api.v1alpha1.SmarthostTarget(
                            smarthost.endpoint().address(), smarthost.endpoint().port());
            route.getSpec().target.relay.authSecretRef =
                    new io.mailroute.api.v1alpha1.SecretKeys("auth");
            route.getSpec().tls = io.mailroute.api.v1alpha1.TlsPolicy.ENCRYPT;
            route.getSpec().validation = ValidationPolicy.Off;
            client.resource(route).create();
            io.fabric8.kubernetes.api.model.Secret sasl =
                    await().until(
                                    () ->
                                            client.secrets()
                                                    .inNamespace(ns.name())
                                                    .withName("relay-sasl")
                                                    .get(),
                                    java.util.Objects::nonNull);
            ConfigMap written =
                    await().until(
                                    this::configMap,
                                    cm ->
                                            cm != null
                                                    && cm.getData()
                                                            .get("transport")
                                                            .contains(
                                                                    smarthost
                                                                            .endpoint()
                                                                            .address()));
            Map<String, String> secretFiles = new java.util.TreeMap<>();
            sasl.getData()
                    .forEach(
                            (key, value) ->
                                    secretFiles.put(
                                            key,
                                            new String(
                                                    java.util.Base64.getDecoder().decode(value),
                                                    java.nio.charset.StandardCharsets.UTF_8)));
            assertThat(secretFiles).containsOnlyKeys("sasl_passwd", "hash-key");

            relay = RelayInstance.create(Loopback.newEndpoint(), statusEndpoint, List.of());
            relay.publishRaw(written.getData(), secretFiles);
            relay.launch();
            relay.awaitLive(written.getData().get("config-hash"));
            runningPod(relayResource);
            await().untilAsserted(
                            () ->
                                    assertCondition(
                                            client.resources(MailRelay.class)
                                                    .inNamespace(ns.name())
                                                    .withName("relay")
                                                    .get(),
                                            "Programmed",
                                            "True",
                                            "ConfigLive"));

            SmtpClient.send(
                    relay.listen(),
                    "app@cluster.test",
                    List.of("user@e2e.test"),
                    "authenticated-e2e");
            io.mailroute.relay.fixtures.Delivery delivery =
                    smarthost.awaitSubject("authenticated-e2e", Duration.ofSeconds(20));
            assertThat(delivery.authUser()).isEqualTo("e2e-user");
            assertThat(delivery.tls()).isTrue();
            assertThat(relay.status().toString()).doesNotContain("e2e:Pa55-word");
        }
    }

    private static List<String> subjects(SmtpSink... sinks) {
        List<String> subjects = new java.util.ArrayList<>();
        for (SmtpSink sink : sinks) {
            sink.deliveries().forEach(d -> subjects.add(d.header("Subject")));
        }
        return subjects;
    }

    /**
     * A pod object as the StatefulSet would create it, marked Ready at the relay's loopback
     * address.
     */
    private void runningPod(MailRelay relay) {
        Resources.runningRelayPod(client, relay, statusEndpoint.address(), statusEndpoint.port());
    }

    private MailRoute route(Loopback.Endpoint nextHop) {
        MailRoute route =
                Resources.pinnedRoute(ns.name(), "e2e", "relay", nextHop.address(), "e2e.test");
        route.getSpec().target.hosts = List.of(host(nextHop));
        route.getSpec().validation = ValidationPolicy.Off;
        return route;
    }

    private static NextHopHost host(Loopback.Endpoint endpoint) {
        return new NextHopHost(endpoint.address(), endpoint.port(), false);
    }

    private ConfigMap configMap() {
        return client.configMaps().inNamespace(ns.name()).withName("relay-config").get();
    }

    private static void assertCondition(
            MailRelay relay, String type, String status, String reason) {
        OperatorAssertions.assertCondition(relay.getStatus().conditions, type, status, reason);
    }
}
