package io.mailroute.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.MxTarget;
import io.mailroute.api.v1alpha1.RouteTarget;
import io.mailroute.dns.fixtures.KnotServer;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Live validation end to end: the operator (Quarkus) on the real API server, resolving through a
 * real authoritative DNS server (knot on loopback) whose zones the tests change or suspend.
 */
@QuarkusTest
@WithTestResource(ControlPlaneResource.class)
@WithTestResource(KnotResource.class)
@RealComponents
class MxValidationOperatorTest {
    static final String CHANGE_ZONE_V1 =
            """
            $ORIGIN change.test.
            $TTL 2
            @    SOA ns.change.test. hostmaster.change.test. %d 3600 600 86400 2
            @    NS  ns
            ns   A   127.0.0.1
            %s
            mx1  A   192.0.2.41
            mx2  A   192.0.2.42
            mx3  A   192.0.2.43
            """;

    static {
        OperatorAssertions.waitPatiently(Duration.ofSeconds(40));
    }

    @Inject KubernetesClient client;

    TestNamespace ns;

    @BeforeEach
    void createNamespace() {
        ns = TestNamespace.create(client);
        client.resource(Resources.relay(ns.name(), "relay")).create();
    }

    @AfterEach
    void deleteNamespace() {
        ns.close();
    }

    @Test
    void mxRoutePinsTheLiveMxSetAndFollowsItsChangesWithAnEvent() throws Exception {
        KnotServer knot = KnotResource.server();
        knot.replaceZone(
                "change.test", CHANGE_ZONE_V1.formatted(100, "@ MX 10 mx1\n@ MX 20 mx2"), 100);
        client.resource(mxRoute("follow", "change.test")).create();

        await().untilAsserted(
                        () -> {
                            assertThat(transport())
                                    .containsEntry(
                                            "change.test",
                                            "smtp:[mx1.change.test]:25, [mx2.change.test]:25");
                            MailRoute route = route("follow");
                            assertCondition(route, "Resolved", "True", "Resolved");
                            assertCondition(route, "Ready", "True", "Ready");
                            assertThat(route.getStatus().resolutions)
                                    .singleElement()
                                    .satisfies(
                                            r -> {
                                                assertThat(r.pinned)
                                                        .containsExactly(
                                                                "mx1.change.test",
                                                                "mx2.change.test");
                                                assertThat(r.nextCheckAt).isNotBlank();
                                            });
                        });

        knot.replaceZone(
                "change.test", CHANGE_ZONE_V1.formatted(101, "@ MX 5 mx3\n@ MX 20 mx2"), 101);
        await().untilAsserted(
                        () -> {
                            assertThat(transport())
                                    .containsEntry(
                                            "change.test",
                                            "smtp:[mx3.change.test]:25, [mx2.change.test]:25");
                            assertThat(events("follow"))
                                    .anySatisfy(
                                            e -> {
                                                assertThat(e.getReason()).isEqualTo("MxChanged");
                                                assertThat(e.getMessage())
                                                        .contains(
                                                                "[mx1.change.test, mx2.change.test]")
                                                        .contains(
                                                                "[mx3.change.test, mx2.change.test]");
                                            });
                        });
        await().during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () ->
                                assertThat(events("follow"))
                                        .as("one event per change, not one per look at the route")
                                        .filteredOn(e -> "MxChanged".equals(e.getReason()))
                                        .hasSize(1));
    }

    @Test
    void duringADnsOutageTheRenderedConfigurationStaysAndTheRouteIsDegraded() throws Exception {
        KnotServer knot = KnotResource.server();
        knot.replaceZone("change.test", CHANGE_ZONE_V1.formatted(200, "@ MX 10 mx1"), 200);
        client.resource(mxRoute("outage", "change.test")).create();
        await().untilAsserted(
                        () ->
                                assertThat(transport())
                                        .containsEntry("change.test", "smtp:[mx1.change.test]:25"));
        String before = configMap().getData().get("transport");

        signal("STOP", knot.pid());
        try {
            await().untilAsserted(
                            () -> {
                                MailRoute route = route("outage");
                                assertCondition(route, "Resolved", "Unknown", "MxLookupTempFail");
                                assertCondition(route, "Degraded", "True", "MxLookupTempFail");
                                assertThat(route.getStatus().resolutions.get(0).tempFailures)
                                        .isGreaterThanOrEqualTo(2);
                            });
            assertThat(configMap().getData().get("transport")).isEqualTo(before);
            assertCondition(route("outage"), "Programmed", "True", "Programmed");
        } finally {
            signal("CONT", knot.pid());
        }
        await().untilAsserted(
                        () -> assertCondition(route("outage"), "Degraded", "False", "NotDegraded"));
        assertThat(configMap().getData().get("transport")).isEqualTo(before);
    }

    @Test
    void nullMxDomainIsReportedAndNotRendered() {
        client.resource(mxRoute("nullmx", "nullmx.mx.test")).create();
        await().untilAsserted(
                        () -> {
                            MailRoute route = route("nullmx");
                            Condition resolved =
                                    assertCondition(route, "Resolved", "False", "NullMx");
                            assertThat(resolved.getMessage())
                                    .contains("nullmx.mx.test")
                                    .contains("null MX");
                            assertCondition(route, "Programmed", "False", "WithheldByValidation");
                            assertThat(transport()).doesNotContainKey("nullmx.mx.test");
                        });
    }

    @Test
    void seedCaseWithFiftySixAddressesIsPinnedAndPinnedHostDriftIsFlagged() {
        client.resource(
                        Resources.pinnedRoute(
                                ns.name(),
                                "seed",
                                "relay",
                                "outlook-com.olc.protection.outlook.com",
                                "outlook.com"))
                .create();
        client.resource(
                        Resources.pinnedRoute(
                                ns.name(), "drift", "relay", "mail.mx.test", "equal.mx.test"))
                .create();
        await().untilAsserted(
                        () -> {
                            assertCondition(route("seed"), "Ready", "True", "Ready");
                            Condition drift =
                                    assertCondition(
                                            route("drift"), "Resolved", "False", "TargetNotInMx");
                            assertThat(drift.getMessage())
                                    .contains("mail.mx.test")
                                    .contains("mx-a.mx.test");
                            assertCondition(route("drift"), "Ready", "False", "TargetNotInMx");
                            // Drift is flagged, not acted on: the pinned route stays rendered.
                            assertThat(transport())
                                    .containsEntry("equal.mx.test", "smtp:[mail.mx.test]:25");
                        });
        await().untilAsserted(
                        () ->
                                assertThat(metrics())
                                        .containsPattern(
                                                "(?m)^mailroute_routes\\{condition=\"Ready\",status=\"True\"} [1-9]")
                                        .containsPattern(
                                                "(?m)^mailroute_routes\\{condition=\"Resolved\",status=\"False\"} [1-9]")
                                        .containsPattern(
                                                "(?m)^mailroute_dns_lookups_total\\{cached=\"false\",rcode=\"NOERROR\","
                                                        + "transport=\"UDP\",type=\"MX\"} [1-9]")
                                        .contains("mailroute_dns_check_duration_seconds_bucket"));
    }

    @Test
    void anMxHostNameThatCannotBeANextHopAffectsOnlyItsOwnDomain() {
        MailRoute odd = mxRoute("odd", "skip.odd.test");
        odd.getSpec().domains = List.of("skip.odd.test", "only.odd.test", "good.odd.test");
        client.resource(odd).create();
        await().untilAsserted(
                        () -> {
                            MailRoute route = route("odd");
                            assertCondition(route, "Accepted", "True", "Accepted");
                            assertThat(transport())
                                    .containsEntry("skip.odd.test", "smtp:[mx2.odd.test]:25")
                                    .containsEntry("good.odd.test", "smtp:[mx2.odd.test]:25")
                                    .doesNotContainKey("only.odd.test");
                            assertThat(route.getStatus().resolutions)
                                    .anySatisfy(
                                            r -> {
                                                assertThat(r.domain).isEqualTo("skip.odd.test");
                                                assertThat(r.reason)
                                                        .isEqualTo("InvalidMxHostSkipped");
                                                assertThat(r.message).contains("mx_1.odd.test");
                                            })
                                    .anySatisfy(
                                            r -> {
                                                assertThat(r.domain).isEqualTo("only.odd.test");
                                                assertThat(r.reason).isEqualTo("InvalidMxHostName");
                                                assertThat(r.message)
                                                        .contains("mx\\\\032a.odd.test");
                                            });
                            Condition programmed =
                                    assertCondition(
                                            route, "Programmed", "False", "WithheldByValidation");
                            assertThat(programmed.getMessage())
                                    .contains("only.odd.test")
                                    .doesNotContain("skip.odd.test withheld");
                        });
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

    private MailRoute mxRoute(String name, String domain) {
        MailRoute route = Resources.pinnedRoute(ns.name(), name, "relay", "unused.example", domain);
        route.getSpec().target = new RouteTarget();
        route.getSpec().target.mx = new MxTarget();
        return route;
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill =
                new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -" + signal).isZero();
    }

    private List<Event> events(String route) {
        return client.v1().events().inNamespace(ns.name()).list().getItems().stream()
                .filter(e -> route.equals(e.getInvolvedObject().getName()))
                .toList();
    }

    private MailRoute route(String name) {
        return client.resources(MailRoute.class).inNamespace(ns.name()).withName(name).get();
    }

    private ConfigMap configMap() {
        return client.configMaps().inNamespace(ns.name()).withName("relay-config").get();
    }

    private Map<String, String> transport() {
        return RelayPlanner.parseTransport(configMap().getData().get("transport"));
    }

    private static Condition assertCondition(
            MailRoute route, String type, String status, String reason) {
        return OperatorAssertions.assertCondition(
                route.getStatus().conditions, type, status, reason);
    }
}
