package io.mailroute.relay;

import static io.mailroute.relay.fixtures.Configs.relayVia;
import static io.mailroute.relay.fixtures.Configs.render;
import static io.mailroute.relay.fixtures.Configs.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailroute.postfix.PostfixConfig;
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
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rendered tls_policy is looked up per next hop: {@code encrypt} delivers over STARTTLS when
 * offered and defers (never sends in clear) when the next hop does not offer it. Certificate
 * verification by name ({@code verify}) needs DNS and is covered in {@link RelayNetnsTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@RealComponents
class RelayTlsPolicyTest {

    private SmtpSink tlsSink;
    private final SmtpSink plainSink = SmtpSink.start(SmtpSink.Options.plain());
    private final SmtpSink smarthost = SmtpSink.start(SmtpSink.Options.plain());
    private RelayInstance relay;

    @BeforeAll
    void start(@TempDir Path caDir) {
        Commands.requireRootAndTools("postfix", "postconf", "postmap", "postqueue", "openssl");
        TestCa ca = TestCa.create(caDir, "mailroute relay test CA");
        tlsSink =
                SmtpSink.start(
                        SmtpSink.Options.plain()
                                .withTls(TestCa.serverContext(ca.issue("tls-sink.test"))));
        PostfixConfig config =
                render(
                        relayVia(smarthost.endpoint()),
                        route("tls.test", TlsLevel.ENCRYPT, null, tlsSink.endpoint()),
                        route("plain.test", TlsLevel.ENCRYPT, null, plainSink.endpoint()));
        assertThat(config.tlsPolicy())
                .contains(
                        tlsSink.endpoint().bracketed() + " encrypt",
                        plainSink.endpoint().bracketed() + " encrypt");
        relay = RelayInstance.create().start(config);
    }

    @AfterAll
    void stop() {
        if (relay != null) {
            relay.close();
        }
        Stream.of(tlsSink, plainSink, smarthost).filter(s -> s != null).forEach(SmtpSink::close);
    }

    @Test
    void encryptDeliversOverStartTls() throws Exception {
        SmtpClient.send(relay.listen(), "alice@sender.test", List.of("bob@tls.test"), "encrypted");

        Delivery delivery = tlsSink.awaitSubject("encrypted", Duration.ofSeconds(20));
        assertThat(delivery.tls()).as("STARTTLS was used").isTrue();
    }

    @Test
    void encryptDefersWhenTheNextHopOffersNoStartTls() throws Exception {
        SmtpClient.send(
                relay.listen(),
                "alice@sender.test",
                List.of("carol@plain.test"),
                "must-not-go-in-clear");

        await().atMost(Duration.ofSeconds(20))
                .until(
                        () ->
                                relay.maillog()
                                        .contains(
                                                "to=<carol@plain.test>, relay="
                                                        + plainSink.endpoint().address()));
        assertThat(relay.maillog())
                .contains(
                        "status=deferred (TLS is required, but was not offered by host "
                                + plainSink.endpoint().address());
        assertThat(relay.queued()).isEqualTo(1);
        assertThat(plainSink.connections()).as("the relay did connect").isPositive();
        assertThat(plainSink.deliveries()).isEmpty();
        assertThat(plainSink.refusals()).as("not even MAIL FROM in clear").isEmpty();
        assertThat(smarthost.deliveries()).isEmpty();
    }
}
