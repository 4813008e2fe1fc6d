package io.mailroute.relay;

import static io.mailroute.relay.fixtures.Configs.hop;
import static io.mailroute.relay.fixtures.Configs.render;
import static io.mailroute.relay.fixtures.Configs.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailroute.postfix.DefaultRouteRule;
import io.mailroute.postfix.PostfixConfig;
import io.mailroute.postfix.RelaySettings;
import io.mailroute.postfix.SaslCredentials;
import io.mailroute.postfix.TlsLevel;
import io.mailroute.relay.fixtures.Commands;
import io.mailroute.relay.fixtures.Delivery;
import io.mailroute.relay.fixtures.RelayInstance;
import io.mailroute.relay.fixtures.SmtpClient;
import io.mailroute.relay.fixtures.SmtpSink;
import io.mailroute.relay.fixtures.TestCa;
import io.mailroute.testing.RealComponents;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials from the relay's Secret (sasl_passwd, keyed by next hop) authenticate to next hops
 * that require SMTP AUTH, for a route and for the smarthost; wrong credentials defer the mail and
 * nothing is sent without AUTH.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@RealComponents
class RelaySaslTest {

    private static final String USER = "relay-user";
    private static final String PASSWORD = "p:a#s,s=w$ord!";

    private final List<SmtpSink> sinks = new ArrayList<>();
    private SmtpSink routeSink;
    private SmtpSink wrongPasswordSink;
    private SmtpSink smarthost;
    private RelayInstance relay;

    @BeforeAll
    void start(@TempDir Path caDir) {
        Commands.requireRootAndTools("postfix", "postconf", "postmap", "postqueue", "openssl");
        SSLContext tls =
                TestCa.serverContext(
                        TestCa.create(caDir, "mailroute SASL test CA").issue("auth.test"));
        routeSink = sink(SmtpSink.Options.plain().withTls(tls).withAuth(USER, PASSWORD));
        wrongPasswordSink = sink(SmtpSink.Options.plain().withTls(tls).withAuth(USER, PASSWORD));
        smarthost =
                sink(SmtpSink.Options.plain().withTls(tls).withAuth("smarthost-user", PASSWORD));
        RelaySettings settings =
                new RelaySettings(
                        "mail/relay",
                        "relay.test",
                        List.of(),
                        new DefaultRouteRule.Smarthost(
                                hop(smarthost.endpoint()),
                                TlsLevel.ENCRYPT,
                                new SaslCredentials("smarthost-user", PASSWORD)));
        PostfixConfig config =
                render(
                        settings,
                        route(
                                "auth.test",
                                TlsLevel.ENCRYPT,
                                new SaslCredentials(USER, PASSWORD),
                                routeSink.endpoint()),
                        route(
                                "wrong.test",
                                TlsLevel.ENCRYPT,
                                new SaslCredentials(USER, "not-the-password"),
                                wrongPasswordSink.endpoint()));
        assertThat(config.hasSasl()).isTrue();
        assertThat(config.publicFiles().values()).noneMatch(file -> file.contains(PASSWORD));
        relay = RelayInstance.create().start(config);
    }

    @AfterAll
    void stop() {
        if (relay != null) {
            relay.close();
        }
        sinks.forEach(SmtpSink::close);
    }

    @Test
    void routeCredentialsAuthenticateOverTls() throws Exception {
        SmtpClient.send(
                relay.listen(), "alice@sender.test", List.of("bob@auth.test"), "authenticated");

        Delivery delivery = routeSink.awaitSubject("authenticated", Duration.ofSeconds(20));
        assertThat(delivery.authUser()).isEqualTo(USER);
        assertThat(delivery.tls()).isTrue();
        assertThat(delivery.rcptTo()).containsExactly("bob@auth.test");
    }

    @Test
    void smarthostCredentialsAuthenticateTheDefaultRoute() throws Exception {
        SmtpClient.send(
                relay.listen(),
                "alice@sender.test",
                List.of("erin@elsewhere.test"),
                "via-smarthost");

        Delivery delivery = smarthost.awaitSubject("via-smarthost", Duration.ofSeconds(20));
        assertThat(delivery.authUser()).isEqualTo("smarthost-user");
        assertThat(delivery.tls()).isTrue();
    }

    @Test
    void wrongCredentialsDeferAndNothingIsSentUnauthenticated() throws Exception {
        SmtpClient.send(
                relay.listen(), "alice@sender.test", List.of("carol@wrong.test"), "wrong-password");

        await().atMost(Duration.ofSeconds(20))
                .until(() -> relay.maillog().contains("to=<carol@wrong.test>"));
        assertThat(relay.maillog())
                .contains("SASL authentication failed")
                .containsPattern("to=<carol@wrong\\.test>.*status=deferred");
        assertThat(relay.maillog())
                .doesNotContainPattern("to=<carol@wrong\\.test>.*status=bounced");
        assertThat(wrongPasswordSink.connections()).isPositive();
        assertThat(wrongPasswordSink.deliveries()).isEmpty();
        assertThat(wrongPasswordSink.refusals()).as("no MAIL FROM without AUTH").isEmpty();
        assertThat(relay.queued()).isEqualTo(1);
    }

    private SmtpSink sink(SmtpSink.Options options) {
        SmtpSink sink = SmtpSink.start(options);
        sinks.add(sink);
        return sink;
    }
}
