package io.mailroute.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.postfix.DefaultRouteRule;
import io.mailroute.postfix.NextHop;
import io.mailroute.postfix.PostfixConfig;
import io.mailroute.postfix.PostfixRenderer;
import io.mailroute.postfix.RelaySettings;
import io.mailroute.postfix.SaslCredentials;
import io.mailroute.postfix.TlsLevel;
import io.mailroute.postfix.TransportRule;
import io.mailroute.relay.fixtures.Commands;
import io.mailroute.relay.fixtures.RelayInstance;
import io.mailroute.testing.RealComponents;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay's shell (relay-lib.sh relay_config_hash) and the operator (PostfixConfig#hash) compute
 * the same public hash from the same files and key, so a relay goes live only on the operator's
 * config-hash; and the shell's HMAC is RFC 2104 HMAC-SHA256 (compared with openssl).
 */
@RealComponents
class RelayConfigHashTest {

    @TempDir Path dir;

    static PostfixConfig config(String password) {
        RelaySettings relay =
                new RelaySettings(
                        "mail/relay",
                        "relay.example",
                        List.of(),
                        new DefaultRouteRule.Smarthost(
                                new NextHop("smtp.example.net", 587, false),
                                TlsLevel.ENCRYPT,
                                new SaslCredentials("smarthost-user", password)));
        TransportRule route =
                new TransportRule(
                        "example.org",
                        true,
                        List.of(new NextHop("mx.example.org", 25, false)),
                        TlsLevel.VERIFY,
                        new SaslCredentials("route-user", password + "-route"),
                        "mail/route");
        return new PostfixRenderer().render(relay, List.of(route));
    }

    @Test
    void shellAndJavaAgreeWithCredentialsForManyKeys() throws IOException {
        PostfixConfig config = config("p:a#s,s=w$ord!\\%x");
        assertThat(config.hasSasl()).isTrue();
        for (String key :
                List.of(
                        PostfixConfig.newHashKey(),
                        PostfixConfig.newHashKey(),
                        "k",
                        "ä-key-ü",
                        "%s\\x41%%",
                        "x".repeat(PostfixConfig.MAX_HASH_KEY_BYTES))) {
            assertThat(shellHash(config, key)).as("key %s", key).isEqualTo(config.hash(key));
        }
    }

    @Test
    void shellAndJavaAgreeWithoutCredentials() throws IOException {
        PostfixConfig config =
                new PostfixRenderer()
                        .render(
                                new RelaySettings(
                                        "mail/relay",
                                        "relay.example",
                                        List.of(),
                                        new DefaultRouteRule.DeliverByMx()),
                                List.of(
                                        new TransportRule(
                                                "example.org",
                                                false,
                                                List.of(),
                                                TlsLevel.MAY,
                                                null,
                                                "mail/route")));
        assertThat(config.hasSasl()).isFalse();
        assertThat(shellHash(config, "")).isEqualTo(config.hash(null));
    }

    @Test
    void shellRefusesAKeyLongerThanOneBlock() throws IOException {
        Commands.Result result = runHash(config("secret"), "x".repeat(65));
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stderr()).contains("must hold 1 to 64 bytes").doesNotContain("secret");
    }

    @Test
    void shellHmacIsHmacSha256() throws IOException {
        Path message = Files.writeString(dir.resolve("message"), "user:pass\n[x]:25 a:b\n");
        Path key = Files.writeString(dir.resolve("key"), RelayInstance.HASH_KEY);
        String shell =
                Commands.runOk(
                                List.of(
                                        "bash",
                                        "-c",
                                        "source \"$0\" && relay_hmac_sha256 \"$1\" \"$2\"",
                                        RelayInstance.SCRIPTS.resolve("relay-lib.sh").toString(),
                                        key.toString(),
                                        message.toString()),
                                Duration.ofSeconds(20))
                        .stdout()
                        .strip();
        String openssl =
                Commands.runOk(
                                List.of(
                                        "openssl",
                                        "dgst",
                                        "-sha256",
                                        "-hmac",
                                        RelayInstance.HASH_KEY,
                                        "-r",
                                        message.toString()),
                                Duration.ofSeconds(20))
                        .stdout()
                        .split(" ")[0];
        assertThat(shell).matches("[0-9a-f]{64}").isEqualTo(openssl);
    }

    private String shellHash(PostfixConfig config, String key) throws IOException {
        Commands.Result result = runHash(config, key);
        assertThat(result.exitCode()).as(result.output()).isZero();
        return result.stdout().strip();
    }

    private Commands.Result runHash(PostfixConfig config, String key) throws IOException {
        Path files = Files.createTempDirectory(dir, "files");
        for (Map.Entry<String, String> file : config.publicFiles().entrySet()) {
            Files.writeString(
                    files.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
        }
        Files.writeString(
                files.resolve(PostfixConfig.SASL_PASSWD),
                config.saslPasswd(),
                StandardCharsets.UTF_8);
        Path keyFile = Files.writeString(dir.resolve("hash-key"), key, StandardCharsets.UTF_8);
        return Commands.run(
                List.of(
                        "bash",
                        "-c",
                        "set -o pipefail; source \"$0\" && relay_config_hash \"$1\" \"$2\"",
                        RelayInstance.SCRIPTS.resolve("relay-lib.sh").toString(),
                        files.toString(),
                        keyFile.toString()),
                Map.of("RELAY_STATE_DIR", dir.resolve("state").toString()),
                Duration.ofSeconds(20));
    }
}
