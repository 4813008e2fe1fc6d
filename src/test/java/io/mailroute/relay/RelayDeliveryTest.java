package io.mailroute.relay;

import static io.mailroute.relay.fixtures.Configs.relayVia;
import static io.mailroute.relay.fixtures.Configs.render;
import static io.mailroute.relay.fixtures.Configs.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.postfix.PostfixConfig;
import io.mailroute.postfix.TlsLevel;
import io.mailroute.postfix.TransportRule;
import io.mailroute.relay.fixtures.Commands;
import io.mailroute.relay.fixtures.Configs;
import io.mailroute.relay.fixtures.Delivery;
import io.mailroute.relay.fixtures.Loopback;
import io.mailroute.relay.fixtures.RelayInstance;
import io.mailroute.relay.fixtures.SmtpClient;
import io.mailroute.relay.fixtures.SmtpSink;
import io.mailroute.testing.RealComponents;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The relay image's entrypoint runs a real Postfix with the operator's rendered files: routed
 * domains reach their next hops with the original envelope, next-hop lists fall back in order,
 * subdomain routes apply, and everything else takes the default route. The relay reports the
 * operator's config hash as live.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@RealComponents
class RelayDeliveryTest {

    private static final Duration DELIVERY = Duration.ofSeconds(20);

    private final SmtpSink routeA = SmtpSink.start(SmtpSink.Options.plain());
    private final Loopback.Endpoint deadHop = Loopback.newEndpoint();
    private final SmtpSink routeB = SmtpSink.start(SmtpSink.Options.plain());
    private final SmtpSink routeC = SmtpSink.start(SmtpSink.Options.plain());
    private final SmtpSink smarthost = SmtpSink.start(SmtpSink.Options.plain());
    private final Loopback.Endpoint statusEndpoint = Loopback.newEndpoint();
    private PostfixConfig config;
    private RelayInstance relay;

    @BeforeAll
    void startRelay() {
        Commands.requireRootAndTools("postfix", "postconf", "postmap", "postqueue", "busybox");
        TransportRule withSubdomains =
                new TransportRule(
                        "c.test",
                        true,
                        List.of(Configs.hop(routeC.endpoint())),
                        TlsLevel.MAY,
                        null,
                        "mail/c");
        config =
                render(
                        relayVia(smarthost.endpoint()),
                        route("a.test", routeA.endpoint()),
                        route("b.test", deadHop, routeB.endpoint()),
                        withSubdomains);
        relay =
                RelayInstance.create(Loopback.newEndpoint(), statusEndpoint, List.of())
                        .start(config);
    }

    @AfterAll
    void stopAll() {
        if (relay != null) {
            relay.close();
        }
        List.of(routeA, routeB, routeC, smarthost).forEach(SmtpSink::close);
    }

    @Test
    void routedDomainGoesToItsNextHopWithTheOriginalEnvelope() throws Exception {
        SmtpClient.send(relay.listen(), "alice@sender.test", List.of("bob@a.test"), "routed-a");

        Delivery delivery = arrived(routeA, "routed-a");
        assertThat(delivery.mailFrom()).isEqualTo("alice@sender.test");
        assertThat(delivery.rcptTo()).containsExactly("bob@a.test");
        assertThat(delivery.client()).as("the relay connects from loopback").startsWith("127.");
        assertNowhereElse("routed-a", routeA);
    }

    @Test
    void nextHopListFallsBackToTheSecondHop() throws Exception {
        assertThat(config.transport())
                .contains(
                        "b.test smtp:"
                                + deadHop.bracketed()
                                + ", "
                                + routeB.endpoint().bracketed());

        SmtpClient.send(relay.listen(), "alice@sender.test", List.of("carol@b.test"), "list-b");

        assertThat(arrived(routeB, "list-b").rcptTo()).containsExactly("carol@b.test");
        assertThat(relay.maillog())
                .contains(
                        "connect to "
                                + deadHop.address()
                                + "["
                                + deadHop.address()
                                + "]:"
                                + deadHop.port()
                                + ": Connection refused");
        assertNowhereElse("list-b", routeB);
    }

    @Test
    void subdomainsFollowTheParentRouteWhenIncluded() throws Exception {
        SmtpClient.send(
                relay.listen(), "alice@sender.test", List.of("dave@deep.sub.c.test"), "sub-c");

        assertThat(arrived(routeC, "sub-c").rcptTo()).containsExactly("dave@deep.sub.c.test");
        assertNowhereElse("sub-c", routeC);
    }

    @Test
    void unroutedDomainsTakeTheDefaultRoute() throws Exception {
        SmtpClient.send(
                relay.listen(),
                "alice@sender.test",
                List.of("erin@elsewhere.test", "frank@a.test.example"),
                "default-route");

        Delivery delivery = arrived(smarthost, "default-route");
        assertThat(delivery.rcptTo())
                .containsExactlyInAnyOrder("erin@elsewhere.test", "frank@a.test.example");
        assertThat(delivery.mailFrom()).isEqualTo("alice@sender.test");
        assertNowhereElse("default-route", smarthost);
    }

    @Test
    void oneMessageForSeveralRoutesIsSplitPerNextHop() throws Exception {
        SmtpClient.send(
                relay.listen(),
                "grace@sender.test",
                List.of("heidi@a.test", "ivan@elsewhere.test"),
                "split");

        assertThat(arrived(routeA, "split").rcptTo()).containsExactly("heidi@a.test");
        assertThat(arrived(smarthost, "split").rcptTo()).containsExactly("ivan@elsewhere.test");
    }

    @Test
    void relayReportsTheOperatorsHashOverHttpAndAnswersTheReadinessProbe() throws Exception {
        assertThat(relay.status())
                .containsEntry("live", RelayInstance.hashOf(config))
                .containsEntry("state", "running");

        HttpResponse<String> response =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create("http://" + statusEndpoint + "/status"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .contains("live=" + RelayInstance.hashOf(config), "state=running");

        assertThat(relay.runScript("ready.sh", Map.of(), Duration.ofSeconds(10)).exitCode())
                .isZero();
        Commands.Result noSmtpd =
                relay.runScript(
                        "ready.sh",
                        Map.of("RELAY_LISTEN", Loopback.newEndpoint().toString()),
                        Duration.ofSeconds(10));
        assertThat(noSmtpd.exitCode()).as(noSmtpd.output()).isNotZero();
    }

    private Delivery arrived(SmtpSink sink, String subject) {
        return sink.awaitSubject(subject, DELIVERY);
    }

    private void assertNowhereElse(String subject, SmtpSink expected) {
        for (SmtpSink sink : List.of(routeA, routeB, routeC, smarthost)) {
            if (sink != expected) {
                assertThat(sink.withSubject(subject))
                        .as("%s must not reach %s", subject, sink.endpoint())
                        .isNull();
            }
        }
    }
}
