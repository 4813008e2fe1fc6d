package io.mailroute.reconciler;

import static io.mailroute.testing.OperatorAssertions.assertCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.NextHopHost;
import io.mailroute.api.v1alpha1.RouteTarget;
import io.mailroute.api.v1alpha1.SecretKeys;
import io.mailroute.api.v1alpha1.SmarthostTarget;
import io.mailroute.postfix.PostfixConfig;
import io.mailroute.routing.RelayPlanner;
import io.mailroute.testing.ControlPlaneResource;
import io.mailroute.testing.KnotResource;
import io.mailroute.testing.OperatorAssertions;
import io.mailroute.testing.RealComponents;
import io.mailroute.testing.Resources;
import io.mailroute.testing.TestNamespace;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator, running in Quarkus, against the real kube-apiserver started by
 * hack/control-plane.sh.
 */
@QuarkusTest
@WithTestResource(ControlPlaneResource.class)
@WithTestResource(KnotResource.class)
@RealComponents
class MailRouteOperatorTest {
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final Map<String, String> SEED =
            Map.of(
                    "outlook.com", "outlook-com.olc.protection.outlook.com",
                    "hotmail.com", "hotmail-com.olc.protection.outlook.com",
                    "live.com", "live-com.olc.protection.outlook.com",
                    "msn.com", "msn-com.olc.protection.outlook.com");

    @Inject KubernetesClient client;

    static {
        OperatorAssertions.waitPatiently(TIMEOUT);
    }

    TestNamespace ns;

    @BeforeEach
    void createNamespace() {
        ns = TestNamespace.create(client);
    }

    @AfterEach
    void deleteNamespace() {
        ns.close();
    }

    @Test
    void seedRoutesRenderExactlyFourPinnedTransportLinesAndReportStatus() {
        MailRelay relay = client.resource(Resources.relay(ns.name(), "relay")).create();
        SEED.forEach(
                (domain, host) ->
                        client.resource(
                                        Resources.pinnedRoute(
                                                ns.name(),
                                                domain.replace('.', '-'),
                                                "relay",
                                                host,
                                                domain))
                                .create());

        await().untilAsserted(
                        () ->
                                assertThat(transport())
                                        .isEqualTo(
                                                Map.of(
                                                        "outlook.com",
                                                                "smtp:[outlook-com.olc.protection.outlook.com]:25",
                                                        "hotmail.com",
                                                                "smtp:[hotmail-com.olc.protection.outlook.com]:25",
                                                        "live.com",
                                                                "smtp:[live-com.olc.protection.outlook.com]:25",
                                                        "msn.com",
                                                                "smtp:[msn-com.olc.protection.outlook.com]:25")));

        await().untilAsserted(
                        () -> {
                            MailRoute route = route("outlook-com");
                            assertThat(route.getStatus()).isNotNull();
                            assertThat(route.getStatus().observedGeneration)
                                    .isEqualTo(route.getMetadata().getGeneration());
                            assertCondition(
                                    route.getStatus().conditions, "Accepted", "True", "Accepted");
                            assertCondition(
                                    route.getStatus().conditions,
                                    "Programmed",
                                    "True",
                                    "Programmed");
                            // The test DNS server (knot) serves the seed zones: the pinned host
                            // resolves and is outlook.com's MX.
                            assertCondition(
                                    route.getStatus().conditions, "Resolved", "True", "Resolved");
                            assertThat(route.getStatus().resolutions)
                                    .singleElement()
                                    .satisfies(
                                            r -> {
                                                assertThat(r.result).isEqualTo("OK");
                                                assertThat(r.mxHosts)
                                                        .extracting(
                                                                h ->
                                                                        h.host
                                                                                + "/"
                                                                                + h.preference
                                                                                + "/"
                                                                                + h.addresses)
                                                        .containsExactly(
                                                                "outlook-com.olc.protection.outlook.com/5/56");
                                            });
                            assertCondition(route.getStatus().conditions, "Ready", "True", "Ready");
                            assertThat(route.getStatus().domains)
                                    .singleElement()
                                    .satisfies(
                                            d -> {
                                                assertThat(d.domain).isEqualTo("outlook.com");
                                                assertThat(d.relay).isEqualTo(ns.name() + "/relay");
                                                assertThat(d.nextHop)
                                                        .isEqualTo(
                                                                "smtp:[outlook-com.olc.protection.outlook.com]:25");
                                                assertThat(d.state).isEqualTo("Programmed");
                                            });
                            assertThat(route.getStatus().target)
                                    .isEqualTo("hosts: outlook-com.olc.protection.outlook.com:25");
                        });

        await().untilAsserted(
                        () -> {
                            MailRelay current =
                                    client.resources(MailRelay.class)
                                            .inNamespace(ns.name())
                                            .withName("relay")
                                            .get();
                            assertThat(current.getStatus().observedGeneration)
                                    .isEqualTo(current.getMetadata().getGeneration());
                            assertThat(current.getStatus().attachedRoutes).isEqualTo(4);
                            // No kubelet runs next to the test API server: the configuration is
                            // written, but no pod runs it.
                            // OperatorRelayEndToEndTest covers Programmed=True with a real relay
                            // reporting its live configuration.
                            Condition programmed =
                                    assertCondition(
                                            current.getStatus().conditions,
                                            "Programmed",
                                            "False",
                                            "NoReadyPods");
                            assertThat(programmed.getMessage())
                                    .startsWith("4 route(s) rendered into ConfigMap relay-config");
                            assertCondition(
                                    current.getStatus().conditions,
                                    "Ready",
                                    "False",
                                    "NoReadyPods");
                            assertThat(current.getStatus().configHash)
                                    .isEqualTo(
                                            configMap()
                                                    .getMetadata()
                                                    .getAnnotations()
                                                    .get("mailroute.io/config-hash"));
                        });

        StatefulSet statefulSet =
                client.apps().statefulSets().inNamespace(ns.name()).withName("relay").get();
        Service service = client.services().inNamespace(ns.name()).withName("relay").get();
        assertOwnedBy(statefulSet, relay);
        assertOwnedBy(service, relay);
        assertOwnedBy(configMap(), relay);
        assertThat(service.getSpec().getPorts())
                .singleElement()
                .satisfies(p -> assertThat(p.getPort()).isEqualTo(25));
        assertThat(statefulSet.getSpec().getVolumeClaimTemplates())
                .singleElement()
                .satisfies(pvc -> assertThat(pvc.getMetadata().getName()).isEqualTo("queue"));
        var container = statefulSet.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getImage()).isEqualTo("mailroute/postfix-relay:0.1.0");
        assertThat(container.getLifecycle().getPreStop().getExec().getCommand())
                .containsExactly("/usr/local/lib/mailroute/drain.sh");
        assertThat(container.getReadinessProbe().getExec().getCommand())
                .containsExactly("/usr/local/lib/mailroute/ready.sh");
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop())
                .containsExactly("ALL");
        assertThat(statefulSet.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
                .isEqualTo(90L);
        // Kubernetes 1.20 serves PodDisruptionBudget only as policy/v1beta1: chosen by API
        // discovery.
        var pdb =
                client.resources(
                                io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudget
                                        .class)
                        .inNamespace(ns.name())
                        .withName("relay")
                        .get();
        assertOwnedBy(pdb, relay);
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(configMap().getData().get("config-hash"))
                .isEqualTo(
                        configMap().getMetadata().getAnnotations().get("mailroute.io/config-hash"));
        assertThat(client.secrets().inNamespace(ns.name()).withName("relay-sasl").get())
                .as("no SASL Secret without credentials")
                .isNull();
        assertThat(configMap().getData().get("main.cf"))
                .containsPattern("(?m)^mynetworks = .*10\\.0\\.0\\.0/8");
    }

    @Test
    void editingThenDeletingARouteUpdatesThenEmptiesTheTransportMap() {
        client.resource(Resources.relay(ns.name(), "relay")).create();
        client.resource(
                        Resources.pinnedRoute(
                                ns.name(),
                                "outlook",
                                "relay",
                                "outlook-com.olc.protection.outlook.com",
                                "outlook.com"))
                .create();
        await().untilAsserted(
                        () ->
                                assertThat(transport())
                                        .containsExactly(
                                                Map.entry(
                                                        "outlook.com",
                                                        "smtp:[outlook-com.olc.protection.outlook.com]:25")));

        editRoute(
                "outlook",
                r -> {
                    r.getSpec().target.hosts =
                            List.of(
                                    new NextHopHost("mx1.example.test", 2525, false),
                                    new NextHopHost("mx2.example.test", 25, true));
                    r.getSpec().includeSubdomains = true;
                });
        await().untilAsserted(
                        () -> {
                            assertThat(transport()).containsOnlyKeys("outlook.com", ".outlook.com");
                            assertThat(transport().get("outlook.com"))
                                    .isEqualTo("smtp:[mx1.example.test]:2525, mx2.example.test:25");
                            MailRoute route = route("outlook");
                            assertThat(route.getStatus().observedGeneration).isEqualTo(2L);
                            assertCondition(
                                    route.getStatus().conditions,
                                    "Programmed",
                                    "True",
                                    "Programmed");
                            assertThat(route.getStatus().domains)
                                    .extracting(d -> d.nextHop)
                                    .containsExactly(
                                            "smtp:[mx1.example.test]:2525, mx2.example.test:25");
                        });

        client.resources(MailRoute.class).inNamespace(ns.name()).withName("outlook").delete();
        await().untilAsserted(
                        () -> {
                            assertThat(transport()).isEmpty();
                            assertThat(
                                            client.resources(MailRelay.class)
                                                    .inNamespace(ns.name())
                                                    .withName("relay")
                                                    .get()
                                                    .getStatus()
                                                    .attachedRoutes)
                                    .isZero();
                        });
    }

    @Test
    void routeToAMissingRelayIsNotAccepted() {
        client.resource(
                        Resources.pinnedRoute(
                                ns.name(),
                                "orphan",
                                "no-such-relay",
                                "mx.example.test",
                                "example.com"))
                .create();
        await().untilAsserted(
                        () -> {
                            MailRoute route = route("orphan");
                            assertThat(route.getStatus()).isNotNull();
                            Condition accepted =
                                    assertCondition(
                                            route.getStatus().conditions,
                                            "Accepted",
                                            "False",
                                            "RelayNotFound");
                            assertThat(accepted.getMessage())
                                    .isEqualTo(
                                            "MailRelay "
                                                    + ns.name()
                                                    + "/no-such-relay does not exist");
                            assertCondition(
                                    route.getStatus().conditions,
                                    "Ready",
                                    "False",
                                    "RelayNotFound");
                        });
        // Creating the relay later attaches the route.
        client.resource(Resources.relay(ns.name(), "no-such-relay")).create();
        await().untilAsserted(
                        () ->
                                assertCondition(
                                        route("orphan").getStatus().conditions,
                                        "Ready",
                                        "True",
                                        "Ready"));
    }

    @Test
    void invalidRouteIsRejectedIntoStatusAndNeverRendered() {
        client.resource(Resources.relay(ns.name(), "relay")).create();
        MailRoute twoTargets =
                Resources.pinnedRoute(
                        ns.name(), "two-targets", "relay", "mx.example.test", "example.com");
        twoTargets.getSpec().target.relay = new SmarthostTarget("smtp.example.net", 587);
        client.resource(twoTargets).create();
        client.resource(
                        Resources.pinnedRoute(
                                ns.name(), "good", "relay", "mx1.example.org", "example.org"))
                .create();

        await().untilAsserted(
                        () -> {
                            Condition accepted =
                                    assertCondition(
                                            route("two-targets").getStatus().conditions,
                                            "Accepted",
                                            "False",
                                            "InvalidTarget");
                            assertThat(accepted.getMessage())
                                    .contains("exactly one of mx, hosts, relay");
                            assertThat(transport()).containsOnlyKeys("example.org");
                        });
    }

    @Test
    void olderRouteWinsAConflictingDomain() {
        client.resource(Resources.relay(ns.name(), "relay")).create();
        client.resource(
                        Resources.pinnedRoute(
                                ns.name(), "first", "relay", "mx1.example.test", "example.com"))
                .create();
        await().untilAsserted(() -> assertThat(transport()).containsKey("example.com"));
        sleepPastCreationTimestampResolution();
        client.resource(
                        Resources.pinnedRoute(
                                ns.name(),
                                "second",
                                "relay",
                                "mx2.example.test",
                                "example.com",
                                "example.net"))
                .create();

        await().untilAsserted(
                        () -> {
                            assertThat(transport())
                                    .isEqualTo(
                                            Map.of(
                                                    "example.com",
                                                    "smtp:[mx1.example.test]:25",
                                                    "example.net",
                                                    "smtp:[mx2.example.test]:25"));
                            MailRoute second = route("second");
                            Condition programmed =
                                    assertCondition(
                                            second.getStatus().conditions,
                                            "Programmed",
                                            "False",
                                            "DomainConflict");
                            assertThat(programmed.getMessage())
                                    .contains("MailRoute " + ns.name() + "/first");
                            assertThat(second.getStatus().domains)
                                    .extracting(d -> d.domain + "=" + d.state)
                                    .containsExactly(
                                            "example.com=Conflict", "example.net=Programmed");
                            assertCondition(
                                    route("first").getStatus().conditions,
                                    "Ready",
                                    "True",
                                    "Ready");
                        });
    }

    @Test
    void relayOnlyAcceptsRoutesFromNamespacesItAllows() {
        try (TestNamespace other = TestNamespace.create(client)) {
            client.resource(Resources.relay(ns.name(), "relay")).create();
            MailRoute foreign =
                    Resources.pinnedRoute(
                            other.name(), "foreign", "relay", "mx.example.test", "example.com");
            foreign.getSpec().relayRefs.get(0).namespace = ns.name();
            client.resource(foreign).create();
            await().untilAsserted(
                            () -> {
                                MailRoute route =
                                        client.resources(MailRoute.class)
                                                .inNamespace(other.name())
                                                .withName("foreign")
                                                .get();
                                assertThat(route.getStatus()).isNotNull();
                                assertCondition(
                                        route.getStatus().conditions,
                                        "Accepted",
                                        "False",
                                        "NotAllowedByRelay");
                                assertThat(transport()).isEmpty();
                            });

            await().untilAsserted(
                            () ->
                                    client.resources(MailRelay.class)
                                            .inNamespace(ns.name())
                                            .withName("relay")
                                            .edit(
                                                    r -> {
                                                        r.setSpec(
                                                                Resources.relayAllowingAll(
                                                                                ns.name(), "relay")
                                                                        .getSpec());
                                                        return r;
                                                    }));
            await().untilAsserted(
                            () -> {
                                assertThat(transport()).containsOnlyKeys("example.com");
                                MailRoute route =
                                        client.resources(MailRoute.class)
                                                .inNamespace(other.name())
                                                .withName("foreign")
                                                .get();
                                assertCondition(
                                        route.getStatus().conditions, "Ready", "True", "Ready");
                            });
        }
    }

    @Test
    void smarthostCredentialsGoOnlyIntoTheRelaySecret() {
        client.resource(Resources.relay(ns.name(), "relay")).create();
        client.resource(credentialsSecret("smarthost-auth", "relay-user", "s3cret-Pa55")).create();
        MailRoute route =
                Resources.pinnedRoute(
                        ns.name(), "via-smarthost", "relay", "unused.example", "example.org");
        route.getSpec().target = new RouteTarget();
        route.getSpec().target.relay = new SmarthostTarget("smtp.example.net", 587);
        route.getSpec().target.relay.authSecretRef = new SecretKeys("smarthost-auth");
        route.getSpec().tls = io.mailroute.api.v1alpha1.TlsPolicy.VERIFY;
        client.resource(route).create();

        await().untilAsserted(
                        () -> {
                            Secret sasl =
                                    client.secrets()
                                            .inNamespace(ns.name())
                                            .withName("relay-sasl")
                                            .get();
                            assertThat(sasl).isNotNull();
                            assertThat(
                                            new String(
                                                    Base64.getDecoder()
                                                            .decode(
                                                                    sasl.getData()
                                                                            .get("sasl_passwd")),
                                                    StandardCharsets.UTF_8))
                                    .contains("[smtp.example.net]:587 relay-user:s3cret-Pa55");
                            assertThat(transport())
                                    .containsExactly(
                                            Map.entry(
                                                    "example.org", "smtp:[smtp.example.net]:587"));
                            assertThat(configMap().getData().get("tls_policy"))
                                    .contains("[smtp.example.net]:587 verify");
                            assertCondition(
                                    route("via-smarthost").getStatus().conditions,
                                    "Ready",
                                    "True",
                                    "Ready");
                        });
        assertThat(configMap().getData().values()).noneMatch(v -> v.contains("s3cret-Pa55"));
        // the public hash is keyed by the relay Secret's hash-key, which stays the same across
        // reconciles
        Secret sasl = client.secrets().inNamespace(ns.name()).withName("relay-sasl").get();
        String key = decode(sasl, "hash-key");
        assertThat(key).matches("[0-9a-f]{64}");
        Map<String, String> files = configMap().getData();
        PostfixConfig published =
                new PostfixConfig(
                        files.get("main.cf"),
                        files.get("transport"),
                        files.get("tls_policy"),
                        decode(sasl, "sasl_passwd"),
                        List.of());
        assertThat(files.get("config-hash"))
                .isEqualTo(published.hash(key))
                .isNotEqualTo(published.hash(PostfixConfig.newHashKey()));
        editRoute(
                "via-smarthost", r -> r.getSpec().domains = List.of("example.org", "example.net"));
        await().untilAsserted(() -> assertThat(transport()).containsKey("example.net"));
        assertThat(
                        decode(
                                client.secrets()
                                        .inNamespace(ns.name())
                                        .withName("relay-sasl")
                                        .get(),
                                "hash-key"))
                .isEqualTo(key);
        assertThat(client.getKubernetesSerialization().asJson(route("via-smarthost")))
                .doesNotContain("s3cret-Pa55");

        // the operator watches no Secrets (RBAC cannot narrow list/watch): it reads its own back by
        // name, so a Secret
        // deleted by someone else comes back within a poll period (30 s), with the credentials
        client.secrets()
                .inNamespace(ns.name())
                .withName("relay-sasl")
                .withTimeout(30, TimeUnit.SECONDS)
                .delete();
        await().atMost(Duration.ofSeconds(75))
                .untilAsserted(
                        () -> {
                            Secret back =
                                    client.secrets()
                                            .inNamespace(ns.name())
                                            .withName("relay-sasl")
                                            .get();
                            assertThat(back).isNotNull();
                            assertThat(decode(back, "sasl_passwd"))
                                    .contains("relay-user:s3cret-Pa55");
                            Map<String, String> now = configMap().getData();
                            assertThat(now.get("config-hash"))
                                    .isEqualTo(
                                            new PostfixConfig(
                                                            now.get("main.cf"),
                                                            now.get("transport"),
                                                            now.get("tls_policy"),
                                                            decode(back, "sasl_passwd"),
                                                            List.of())
                                                    .hash(decode(back, "hash-key")));
                        });

        client.resources(MailRoute.class).inNamespace(ns.name()).withName("via-smarthost").delete();
        await().untilAsserted(
                        () ->
                                assertThat(
                                                client.secrets()
                                                        .inNamespace(ns.name())
                                                        .withName("relay-sasl")
                                                        .get())
                                        .isNull());
    }

    @Test
    void missingCredentialsSecretIsReportedNotRendered() {
        client.resource(Resources.relay(ns.name(), "relay")).create();
        MailRoute route =
                Resources.pinnedRoute(
                        ns.name(), "no-secret", "relay", "unused.example", "example.org");
        route.getSpec().target = new RouteTarget();
        route.getSpec().target.relay = new SmarthostTarget("smtp.example.net", 587);
        route.getSpec().target.relay.authSecretRef = new SecretKeys("absent");
        client.resource(route).create();
        await().untilAsserted(
                        () -> {
                            Condition accepted =
                                    assertCondition(
                                            route("no-secret").getStatus().conditions,
                                            "Accepted",
                                            "False",
                                            "SecretNotFound");
                            assertThat(accepted.getMessage()).contains(ns.name() + "/absent");
                            assertThat(transport()).isEmpty();
                        });
    }

    @Test
    void credentialsAreReadOnlyFromSecretsMadeForThem() {
        client.resource(Resources.relay(ns.name(), "relay")).create();
        // e.g. a service-account token: the route's author may not read it, so the operator must
        // not send it anywhere
        client.resource(
                        new SecretBuilder()
                                .withNewMetadata()
                                .withName("not-for-mail")
                                .withNamespace(ns.name())
                                .endMetadata()
                                .withStringData(
                                        Map.of("username", "app", "password", "t0ken-value"))
                                .build())
                .create();
        MailRoute route =
                Resources.pinnedRoute(
                        ns.name(), "exfiltrate", "relay", "unused.example", "example.org");
        route.getSpec().target = new RouteTarget();
        route.getSpec().target.relay = new SmarthostTarget("attacker.example.net", 587);
        route.getSpec().target.relay.authSecretRef = new SecretKeys("not-for-mail");
        route.getSpec().tls = io.mailroute.api.v1alpha1.TlsPolicy.ENCRYPT;
        client.resource(route).create();
        await().untilAsserted(
                        () -> {
                            Condition accepted =
                                    assertCondition(
                                            route("exfiltrate").getStatus().conditions,
                                            "Accepted",
                                            "False",
                                            "SecretNotForCredentials");
                            assertThat(accepted.getMessage())
                                    .contains(
                                            ns.name() + "/not-for-mail",
                                            "mailroute.io/credentials");
                            assertThat(transport()).isEmpty();
                        });
        assertThat(client.secrets().inNamespace(ns.name()).withName("relay-sasl").get()).isNull();
        assertThat(client.getKubernetesSerialization().asJson(route("exfiltrate")))
                .doesNotContain("t0ken-value");
    }

    @Test
    void defaultRouteSmarthostCredentialsAreRenderedIntoTheRelaySecret() {
        client.resource(credentialsSecret("smarthost-auth", "default-user", "dEfault-Pa55"))
                .create();
        MailRelay relay = Resources.relay(ns.name(), "relay");
        relay.getSpec().defaultRoute = new io.mailroute.api.v1alpha1.DefaultRoute();
        relay.getSpec().defaultRoute.smarthost = new SmarthostTarget("smarthost.example.net", 587);
        relay.getSpec().defaultRoute.smarthost.authSecretRef = new SecretKeys("smarthost-auth");
        relay.getSpec().defaultRoute.tls = io.mailroute.api.v1alpha1.TlsPolicy.VERIFY;
        client.resource(relay).create();
        await().untilAsserted(
                        () -> {
                            Secret sasl =
                                    client.secrets()
                                            .inNamespace(ns.name())
                                            .withName("relay-sasl")
                                            .get();
                            assertThat(sasl).isNotNull();
                            assertThat(decode(sasl, "sasl_passwd"))
                                    .contains(
                                            "[smarthost.example.net]:587 default-user:dEfault-Pa55");
                            assertThat(configMap().getData().get("main.cf"))
                                    .contains("relayhost = [smarthost.example.net]:587")
                                    .contains("smtp_sasl_auth_enable = yes");
                        });
        assertThat(configMap().getData().values()).noneMatch(v -> v.contains("dEfault-Pa55"));

        // the same Secret rules as for routes: another Secret makes the relay invalid, the config
        // stays as it was
        client.resource(
                        new SecretBuilder()
                                .withNewMetadata()
                                .withName("other")
                                .withNamespace(ns.name())
                                .endMetadata()
                                .withStringData(Map.of("username", "u", "password", "p"))
                                .build())
                .create();
        await().untilAsserted(
                        () ->
                                client.resources(MailRelay.class)
                                        .inNamespace(ns.name())
                                        .withName("relay")
                                        .edit(
                                                r -> {
                                                    r.getSpec()
                                                                    .defaultRoute
                                                                    .smarthost
                                                                    .authSecretRef =
                                                            new SecretKeys("other");
                                                    return r;
                                                }));
        await().untilAsserted(
                        () -> {
                            MailRelay current =
                                    client.resources(MailRelay.class)
                                            .inNamespace(ns.name())
                                            .withName("relay")
                                            .get();
                            Condition programmed =
                                    assertCondition(
                                            current.getStatus().conditions,
                                            "Programmed",
                                            "False",
                                            "SecretNotForCredentials");
                            assertThat(programmed.getMessage())
                                    .contains(
                                            ns.name() + "/other",
                                            "spec.defaultRoute.smarthost.authSecretRef");
                        });
    }

    @Test
    void aRouteOfAnotherNamespaceCannotTakeADomainInsideAnOlderSubdomainTree() {
        try (TestNamespace other = TestNamespace.create(client)) {
            client.resource(Resources.relayAllowingAll(ns.name(), "relay")).create();
            MailRoute owner =
                    Resources.pinnedRoute(
                            ns.name(), "owner", "relay", "mx1.example.test", "example.com");
            owner.getSpec().includeSubdomains = true;
            client.resource(owner).create();
            await().untilAsserted(() -> assertThat(transport()).containsKey(".example.com"));
            sleepPastCreationTimestampResolution();
            MailRoute thief =
                    Resources.pinnedRoute(
                            other.name(),
                            "thief",
                            "relay",
                            "mx2.example.test",
                            "payroll.example.com",
                            "example.net");
            thief.getSpec().relayRefs.get(0).namespace = ns.name();
            client.resource(thief).create();
            await().untilAsserted(
                            () -> {
                                assertThat(transport())
                                        .containsOnlyKeys(
                                                "example.com", ".example.com", "example.net");
                                MailRoute route =
                                        client.resources(MailRoute.class)
                                                .inNamespace(other.name())
                                                .withName("thief")
                                                .get();
                                Condition programmed =
                                        assertCondition(
                                                route.getStatus().conditions,
                                                "Programmed",
                                                "False",
                                                "DomainConflict");
                                assertThat(programmed.getMessage())
                                        .contains("MailRoute " + ns.name() + "/owner");
                                assertThat(route.getStatus().domains)
                                        .extracting(d -> d.domain + "=" + d.state)
                                        .containsExactly(
                                                "example.net=Programmed",
                                                "payroll.example.com=Conflict");
                            });
        }
    }

    @Test
    void aRouteTooLargeForTheRelayIsRefusedAloneAndTheOthersStayProgrammed() {
        client.resource(Resources.relay(ns.name(), "relay")).create();
        // the route: 256 domains x 16 hosts with long names and subdomains renders over 2
        // MB
        String[] domains = new String[256];
        for (int i = 0; i < domains.length; i++) {
            domains[i] = "d" + i + "-" + "x".repeat(50) + ".example";
        }
        MailRoute huge =
                Resources.pinnedRoute(ns.name(), "huge", "relay", "unused.example", domains);
        huge.getSpec().includeSubdomains = true;
        huge.getSpec().target.hosts = new java.util.ArrayList<>();
        for (int i = 0; i < 16; i++) {
            huge.getSpec()
                    .target
                    .hosts
                    .add(
                            new NextHopHost(
                                    "mx"
                                            + i
                                            + "-"
                                            + "y".repeat(50)
                                            + ".relay-"
                                            + "z".repeat(40)
                                            + ".example.net",
                                    25,
                                    false));
        }
        client.resource(huge).create();
        client.resource(
                        Resources.pinnedRoute(
                                ns.name(), "small", "relay", "mx1.example.org", "example.org"))
                .create();
        await().untilAsserted(
                        () -> {
                            Condition accepted =
                                    assertCondition(
                                            route("huge").getStatus().conditions,
                                            "Accepted",
                                            "False",
                                            "RouteTooLarge");
                            assertThat(accepted.getMessage()).contains("at most 65536 bytes");
                            assertCondition(
                                    route("small").getStatus().conditions,
                                    "Programmed",
                                    "True",
                                    "Programmed");
                            assertThat(transport()).containsOnlyKeys("example.org");
                        });
    }

    @Test
    void aConfigurationTooLargeForOneConfigMapIsShardedAndShrinksBack() {
        client.resource(Resources.relay(ns.name(), "relay")).create();
        String host = "mx-" + "h".repeat(55) + ".relay-" + "z".repeat(55) + ".example.net";
        int routes = 24;
        int perRoute = 140;
        String longName = "-" + "x".repeat(50) + "." + "y".repeat(50) + ".example";
        for (int r = 0; r < routes; r++) {
            String[] domains = new String[perRoute];
            for (int i = 0; i < domains.length; i++) {
                domains[i] = "r" + r + "-d" + i + longName;
            }
            MailRoute route = Resources.pinnedRoute(ns.name(), "bulk-" + r, "relay", host, domains);
            route.getSpec().validation = io.mailroute.api.v1alpha1.ValidationPolicy.Off;
            client.resource(route).create();
        }
        await().atMost(Duration.ofSeconds(120))
                .untilAsserted(
                        () -> {
                            ConfigMap main = configMap();
                            assertThat(main.getData())
                                    .as(
                                            () ->
                                                    "route bulk-0: "
                                                            + client.getKubernetesSerialization()
                                                                    .asJson(
                                                                            route("bulk-0")
                                                                                    .getStatus()))
                                    .doesNotContainKey("transport")
                                    .containsKey("transport.parts");
                            Map<String, String> transport =
                                    RelayPlanner.parseTransport(writtenFile(main, "transport"));
                            assertThat(transport)
                                    .hasSize(routes * perRoute)
                                    .containsEntry("r23-d139" + longName, "smtp:[" + host + "]:25");
                            assertThat(
                                            new PostfixConfig(
                                                            main.getData().get("main.cf"),
                                                            writtenFile(main, "transport"),
                                                            writtenFile(main, "tls_policy"),
                                                            "",
                                                            List.of())
                                                    .hash(null))
                                    .as("config-hash covers the reassembled files")
                                    .isEqualTo(main.getData().get("config-hash"));
                            for (int r = 0; r < routes; r++) {
                                assertCondition(
                                        route("bulk-" + r).getStatus().conditions,
                                        "Programmed",
                                        "True",
                                        "Programmed");
                            }
                        });
        List<ConfigMap> shards =
                client.configMaps().inNamespace(ns.name()).list().getItems().stream()
                        .filter(cm -> cm.getMetadata().getName().startsWith("relay-config-"))
                        .toList();
        assertThat(shards)
                .hasSizeGreaterThan(1)
                .allSatisfy(
                        cm -> {
                            assertThat(cm.getMetadata().getOwnerReferences())
                                    .singleElement()
                                    .satisfies(o -> assertThat(o.getKind()).isEqualTo("MailRelay"));
                            assertThat(client.getKubernetesSerialization().asJson(cm).length())
                                    .isLessThan(1024 * 1024);
                        });
        assertThat(
                        client.apps()
                                .statefulSets()
                                .inNamespace(ns.name())
                                .withName("relay")
                                .get()
                                .getSpec()
                                .getTemplate()
                                .getSpec()
                                .getVolumes())
                .filteredOn(v -> "config".equals(v.getName()))
                .singleElement()
                .satisfies(
                        v ->
                                assertThat(v.getProjected().getSources())
                                        .extracting(p -> p.getConfigMap().getName())
                                        .contains(
                                                "relay-config",
                                                "relay-config-1",
                                                "relay-config-16"));

        for (int r = 1; r < routes; r++) {
            client.resources(MailRoute.class).inNamespace(ns.name()).withName("bulk-" + r).delete();
        }
        await().atMost(Duration.ofSeconds(120))
                .untilAsserted(
                        () -> {
                            assertThat(configMap().getData())
                                    .containsKey("transport")
                                    .doesNotContainKey("transport.parts");
                            assertThat(transport()).hasSize(perRoute);
                            assertThat(client.configMaps().inNamespace(ns.name()).list().getItems())
                                    .filteredOn(
                                            cm ->
                                                    cm.getMetadata()
                                                            .getName()
                                                            .startsWith("relay-config-"))
                                    .as(
                                            "shards no longer needed are emptied (the operator may not delete ConfigMaps)")
                                    .allSatisfy(cm -> assertThat(cm.getData()).isNullOrEmpty());
                            assertCondition(
                                    route("bulk-0").getStatus().conditions,
                                    "Programmed",
                                    "True",
                                    "Programmed");
                        });
    }

    /**
     * A file of the relay's configuration as written: inline, or reassembled from the shard
     * ConfigMaps.
     */
    private String writtenFile(ConfigMap main, String file) {
        return io.mailroute.dependent.RelayConfigLayout.read(
                        file,
                        main.getData(),
                        n -> {
                            ConfigMap shard =
                                    client.configMaps()
                                            .inNamespace(ns.name())
                                            .withName("relay-config-" + n)
                                            .get();
                            return shard == null ? null : shard.getData();
                        })
                .orElseThrow(() -> new AssertionError(file + " is not completely written"));
    }

    private Secret credentialsSecret(String name, String username, String password) {
        return new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns.name())
                .addToLabels("mailroute.io/credentials", "true")
                .endMetadata()
                .withType("kubernetes.io/basic-auth")
                .withStringData(Map.of("username", username, "password", password))
                .build();
    }

    private static String decode(Secret secret, String key) {
        return new String(
                Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }

    @Test
    void aPreExistingConfigMapOfTheRelaysNameIsReportedAndNeverTakenOver() {
        ConfigMap theirs =
                client.resource(
                                new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                                        .withNewMetadata()
                                        .withNamespace(ns.name())
                                        .withName("relay-config")
                                        .withLabels(Map.of("owner", "someone-else"))
                                        .endMetadata()
                                        .withData(
                                                Map.of(
                                                        "transport",
                                                        "example.com smtp:[theirs.example]:25\n",
                                                        "note",
                                                        "not yours"))
                                        .build())
                        .create();
        client.resource(Resources.relay(ns.name(), "relay")).create();
        client.resource(
                        Resources.pinnedRoute(
                                ns.name(), "r", "relay", "mx.example.test", "example.com"))
                .create();
        await().untilAsserted(
                        () -> {
                            MailRelay relay =
                                    client.resources(MailRelay.class)
                                            .inNamespace(ns.name())
                                            .withName("relay")
                                            .get();
                            assertThat(relay.getStatus()).isNotNull();
                            Condition programmed =
                                    assertCondition(
                                            relay.getStatus().conditions,
                                            "Programmed",
                                            "False",
                                            "ConfigMapNotOwned");
                            assertThat(programmed.getMessage())
                                    .contains("ConfigMap " + ns.name() + "/relay-config")
                                    .contains("not owned");
                            assertCondition(
                                    relay.getStatus().conditions,
                                    "Ready",
                                    "False",
                                    "ConfigMapNotOwned");
                        });
        ConfigMap after = configMap();
        assertThat(after.getMetadata().getResourceVersion())
                .isEqualTo(theirs.getMetadata().getResourceVersion());
        assertThat(after.getData()).isEqualTo(theirs.getData());
        assertThat(after.getMetadata().getLabels()).isEqualTo(theirs.getMetadata().getLabels());
        assertThat(after.getMetadata().getOwnerReferences()).isNullOrEmpty();
        assertThat(client.apps().statefulSets().inNamespace(ns.name()).withName("relay").get())
                .as("no relay runs on a configuration the operator did not write")
                .isNull();
    }

    private static void sleepPastCreationTimestampResolution() {
        try {
            Thread.sleep(1100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Edits a route's spec, retrying while the operator's status writes make the resource version
     * stale.
     */
    private void editRoute(String name, java.util.function.Consumer<MailRoute> change) {
        await().untilAsserted(
                        () ->
                                client.resources(MailRoute.class)
                                        .inNamespace(ns.name())
                                        .withName(name)
                                        .edit(
                                                r -> {
                                                    change.accept(r);
                                                    return r;
                                                }));
    }

    private MailRoute route(String name) {
        return client.resources(MailRoute.class).inNamespace(ns.name()).withName(name).get();
    }

    private ConfigMap configMap() {
        return client.configMaps().inNamespace(ns.name()).withName("relay-config").get();
    }

    /**
     * The relay's rendered transport map as key -> next hop; empty when the ConfigMap does not
     * exist yet.
     */
    private Map<String, String> transport() {
        ConfigMap cm = configMap();
        assertThat(cm).as("relay ConfigMap").isNotNull();
        return RelayPlanner.parseTransport(cm.getData().get("transport"));
    }

    private static void assertOwnedBy(HasMetadata owned, MailRelay relay) {
        assertThat(owned).isNotNull();
        assertThat(owned.getMetadata().getOwnerReferences())
                .singleElement()
                .satisfies(
                        ref -> {
                            assertThat(ref.getKind()).isEqualTo("MailRelay");
                            assertThat(ref.getName()).isEqualTo(relay.getMetadata().getName());
                            assertThat(ref.getUid()).isEqualTo(relay.getMetadata().getUid());
                        });
    }
}
