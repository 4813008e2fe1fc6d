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
import io.mailroute.relay.fixtures.Loopback;
import io.mailroute.relay.fixtures.NetNs;
import io.mailroute.relay.fixtures.NetnsDns;
import io.mailroute.relay.fixtures.RelayInstance;
import io.mailroute.relay.fixtures.SinkProcess;
import io.mailroute.relay.fixtures.Swaks;
import io.mailroute.testing.RealComponents;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routes without next hops render {@code domain smtp:} (and {@code .domain smtp:} with subdomains):
 * delivery by the recipient domain's own MX records, bypassing the smarthost. Their TLS policy is
 * keyed by the recipient domain ({@code .domain} for subdomains). Runs in a network namespace with
 * its own DNS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@RealComponents
class RelayMxDeliveryTest {

    private static final String RELAY = "127.0.0.1:2525";

    private NetNs netns;
    private NetnsDns dns;
    private SinkProcess mx;
    private SinkProcess smarthost;
    private RelayInstance relay;
    private PostfixConfig config;

    @BeforeAll
    void start(@TempDir Path dir) {
        Commands.requireRootAndTools(
                "postfix", "postconf", "postmap", "ip", "knotd", "kdig", "swaks");
        netns = NetNs.create();
        dns =
                NetnsDns.start(
                        netns,
                        dir,
                        List.of(
                                "mx.provider A 127.0.4.1",
                                "mxdomain MX 10 mx.provider.test.",
                                "*.mxdomain MX 10 mx.provider.test.",
                                "tlsdomain MX 10 mx.provider.test.",
                                "*.tlsdomain MX 10 mx.provider.test."));
        mx = SinkProcess.start(netns, dir, "mx", List.of("127.0.4.1:25"));
        smarthost = SinkProcess.start(netns, dir, "smarthost", List.of("127.0.4.2:25"));
        RelaySettings settings =
                new RelaySettings(
                        "mail/relay",
                        "relay.test",
                        List.of(),
                        new DefaultRouteRule.Smarthost(
                                new NextHop("127.0.4.2", 25, false), TlsLevel.MAY, null));
        config =
                new PostfixRenderer()
                        .render(
                                settings,
                                List.of(
                                        new TransportRule(
                                                "mxdomain.test",
                                                true,
                                                List.of(),
                                                TlsLevel.MAY,
                                                null,
                                                "mail/mx"),
                                        new TransportRule(
                                                "tlsdomain.test",
                                                true,
                                                List.of(),
                                                TlsLevel.ENCRYPT,
                                                null,
                                                "mail/tls")));
        relay =
                RelayInstance.create(new Loopback.Endpoint("127.0.0.1", 2525), null, netns.exec())
                        .start(config);
    }

    @AfterAll
    void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {relay, mx, smarthost, dns, netns}) {
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
    void domainAndSubdomainsGoToTheirOwnMxNotTheSmarthost() {
        assertThat(config.transport()).contains("mxdomain.test smtp:\n", ".mxdomain.test smtp:\n");
        send("mx@sender.test", "bob@mxdomain.test");
        send("mx-sub@sender.test", "carol@sub.mxdomain.test");
        send("default@sender.test", "dave@elsewhere.test");

        await().atMost(Duration.ofSeconds(30))
                .until(() -> mx.deliveries().size() >= 2 && !smarthost.deliveries().isEmpty());
        assertThat(mx.deliveries())
                .extracting(d -> d.rcptTo().get(0))
                .containsExactlyInAnyOrder("bob@mxdomain.test", "carol@sub.mxdomain.test");
        assertThat(smarthost.deliveries())
                .extracting(d -> d.rcptTo().get(0))
                .containsExactly("dave@elsewhere.test");
    }

    @Test
    void recipientDomainTlsPolicyAppliesToTheDomainAndItsSubdomains() {
        assertThat(config.tlsPolicy())
                .contains("tlsdomain.test encrypt\n", ".tlsdomain.test encrypt\n");
        send("tls@sender.test", "erin@tlsdomain.test");
        send("tls-sub@sender.test", "frank@sub.tlsdomain.test");

        await().atMost(Duration.ofSeconds(30))
                .until(
                        () ->
                                relay.maillog().contains("to=<erin@tlsdomain.test>")
                                        && relay.maillog()
                                                .contains("to=<frank@sub.tlsdomain.test>"));
        assertThat(relay.maillog())
                .containsPattern(
                        "to=<erin@tlsdomain\\.test>.*status=deferred \\(TLS is required, but was not offered")
                .containsPattern(
                        "to=<frank@sub\\.tlsdomain\\.test>.*status=deferred \\(TLS is required");
        assertThat(mx.records()).noneMatch(d -> d.mailFrom().startsWith("tls"));
    }

    private void send(String from, String to) {
        Commands.Result sent = Swaks.send(netns, RELAY, null, from, to, "mx", null);
        assertThat(sent.exitCode()).as(sent.output()).isZero();
    }
}
