package io.mailroute.relay;

import static io.mailroute.relay.fixtures.Configs.relayVia;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailroute.postfix.NextHop;
import io.mailroute.postfix.PostfixConfig;
import io.mailroute.postfix.PostfixRenderer;
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
import io.mailroute.relay.fixtures.TestCa;
import io.mailroute.testing.RealComponents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify} checks the next hop's certificate against the CA file and the next-hop name, which
 * needs the name in DNS: the relay runs in a network namespace with its own DNS server. A
 * certificate from another CA defers the mail instead of sending it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@RealComponents
class RelayTlsVerifyTest {

    private static final String RELAY = "127.0.0.1:2525";

    private NetNs netns;
    private NetnsDns dns;
    private SinkProcess trusted;
    private SinkProcess untrusted;
    private RelayInstance relay;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Commands.requireRootAndTools(
                "postfix", "postconf", "postmap", "ip", "knotd", "kdig", "swaks", "openssl");
        Files.createDirectories(dir.resolve("ca"));
        Files.createDirectories(dir.resolve("other-ca"));
        TestCa ca = TestCa.create(dir.resolve("ca"), "mailroute relay test CA");
        Path trustedCert = ca.issue("mx.verified.test");
        Path otherCert =
                TestCa.create(dir.resolve("other-ca"), "some other CA").issue("mx.untrusted.test");
        netns = NetNs.create();
        dns =
                NetnsDns.start(
                        netns, dir, List.of("mx.verified A 127.0.3.1", "mx.untrusted A 127.0.3.2"));
        trusted =
                SinkProcess.start(
                        netns,
                        dir,
                        "trusted",
                        List.of("127.0.3.1:25"),
                        "--tls",
                        trustedCert.toString());
        untrusted =
                SinkProcess.start(
                        netns,
                        dir,
                        "untrusted",
                        List.of("127.0.3.2:25"),
                        "--tls",
                        otherCert.toString());
        PostfixConfig config =
                new PostfixRenderer()
                        .render(
                                relayVia(new Loopback.Endpoint("127.0.0.1", 2526)),
                                List.of(
                                        verified("verified.test", "mx.verified.test"),
                                        verified("untrusted.test", "mx.untrusted.test")));
        assertThat(config.tlsPolicy())
                .contains("[mx.verified.test]:25 verify", "[mx.untrusted.test]:25 verify");
        relay =
                RelayInstance.create(
                                new Loopback.Endpoint("127.0.0.1", 2525),
                                null,
                                netns.exec(),
                                "smtp_tls_CAfile = " + ca.certificate())
                        .start(config);
    }

    private static TransportRule verified(String domain, String host) {
        return new TransportRule(
                domain,
                false,
                List.of(new NextHop(host, 25, false)),
                TlsLevel.VERIFY,
                null,
                "mail/" + domain);
    }

    @AfterAll
    void stop() {
        for (AutoCloseable closeable :
                new AutoCloseable[] {relay, trusted, untrusted, dns, netns}) {
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
    void verifyDeliversToACertificateThatMatchesTheNextHopName() {
        Commands.Result sent =
                Swaks.send(
                        netns,
                        RELAY,
                        null,
                        "alice@sender.test",
                        "bob@verified.test",
                        "verified",
                        null);
        assertThat(sent.exitCode()).as(sent.output()).isZero();

        await().atMost(Duration.ofSeconds(30)).until(() -> !trusted.deliveries().isEmpty());
        Delivery delivery = trusted.deliveries().get(0);
        assertThat(delivery.tls()).isTrue();
        assertThat(delivery.rcptTo()).containsExactly("bob@verified.test");
    }

    @Test
    void verifyDefersWhenTheCertificateIsNotTrusted() {
        Commands.Result sent =
                Swaks.send(
                        netns,
                        RELAY,
                        null,
                        "alice@sender.test",
                        "carol@untrusted.test",
                        "untrusted",
                        null);
        assertThat(sent.exitCode()).as(sent.output()).isZero();

        await().atMost(Duration.ofSeconds(30))
                .until(() -> relay.maillog().contains("to=<carol@untrusted.test>"));
        assertThat(relay.maillog())
                .containsPattern(
                        "to=<carol@untrusted\\.test>.*status=deferred.*"
                                + "(certificate|Server certificate not)");
        assertThat(untrusted.records()).as("nothing sent to the untrusted server").isEmpty();
    }
}
