package io.mailroute.postfix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mailroute.testing.RealComponents;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feeds rendered files to the real Postfix tools: {@code postconf} must parse main.cf without any
 * warning (a misspelled parameter is reported as "unused"), and every map entry must read back
 * through {@code postmap -q} exactly as rendered. Skipped when Postfix is not installed.
 */
@RealComponents
class PostfixSyntaxCheckTest {

    /** Contains every character a password may have that is special somewhere in Postfix. */
    private static final String PASSWORD = "p:a#s,s=w$ord!";

    /** Minimal master.cf so that postconf does not warn about a missing one. */
    private static final String MASTER_CF =
            """
            smtp      inet  n       -       y       -       -       smtpd
            pickup    unix  n       -       y       60      1       pickup
            cleanup   unix  n       -       y       -       0       cleanup
            qmgr      unix  n       -       n       300     1       qmgr
            rewrite   unix  -       -       y       -       -       trivial-rewrite
            bounce    unix  -       -       y       -       0       bounce
            defer     unix  -       -       y       -       0       bounce
            trace     unix  -       -       y       -       0       bounce
            verify    unix  -       -       y       -       1       verify
            smtp      unix  -       -       y       -       -       smtp
            error     unix  -       -       y       -       -       error
            retry     unix  -       -       y       -       -       error
            tlsmgr    unix  -       -       y       1000?   1       tlsmgr
            scache    unix  -       -       y       -       1       scache
            anvil     unix  -       -       y       -       1       anvil
            postlog   unix-dgram n  -       n       -       1       postlogd
            """;

    private static Path postconf;
    private static Path postmap;
    private static PostfixConfig config;

    /**
     * Shared by both tests: postconf is slow (about 1.5 s) on its first run against a new
     * directory.
     */
    @TempDir static Path dir;

    @BeforeAll
    static void findPostfixAndWriteFiles() throws IOException {
        postconf = findExecutable("postconf").orElse(null);
        postmap = findExecutable("postmap").orElse(null);
        assumeTrue(
                postconf != null && postmap != null,
                "Postfix is not installed (postconf/postmap not found on PATH or in /usr/sbin): skipping the "
                        + "syntax check; install it with 'apt-get install postfix postfix-lmdb'");
        config = writeAll(render());
    }

    @Test
    void postconfAcceptsMainCfWithoutWarnings() throws Exception {

        Result nonDefaults = run(postconf.toString(), "-c", dir.toString(), "-n");
        assertThat(nonDefaults.stderr()).as("postconf warnings").isEmpty();
        assertThat(nonDefaults.exitCode()).isZero();
        assertThat(nonDefaults.stdout())
                .contains(
                        "relayhost = [smtp.example.com]:587",
                        "mynetworks = 127.0.0.0/8 [::1]/128 10.0.0.0/8 [2001:db8::]/32",
                        "smtp_dns_support_level = dnssec",
                        "smtp_sasl_auth_enable = yes");

        Result expanded =
                run(
                        postconf.toString(),
                        "-c",
                        dir.toString(),
                        "-x",
                        "-h",
                        "transport_maps",
                        "smtp_tls_policy_maps",
                        "smtp_sasl_password_maps");
        assertThat(expanded.stdout().lines())
                .containsExactly(
                        "lmdb:" + dir.resolve("transport"),
                        "lmdb:" + dir.resolve("tls_policy"),
                        "lmdb:" + dir.resolve("sasl_passwd"));
        assertThat(config.hasSasl()).isTrue();
    }

    @Test
    void postmapReadsBackEveryEntryExactly() throws Exception {

        for (String map :
                List.of(
                        PostfixConfig.TRANSPORT,
                        PostfixConfig.TLS_POLICY,
                        PostfixConfig.SASL_PASSWD)) {
            Result built =
                    run(postmap.toString(), "-c", dir.toString(), "lmdb:" + dir.resolve(map));
            assertThat(built.stderr()).as("postmap warnings for " + map).isEmpty();
            assertThat(built.exitCode()).isZero();
        }
        assertReadsBack(PostfixConfig.TRANSPORT, config.transport());
        assertReadsBack(PostfixConfig.TLS_POLICY, config.tlsPolicy());
        assertReadsBack(PostfixConfig.SASL_PASSWD, config.saslPasswd());
        assertThat(query(PostfixConfig.SASL_PASSWD, "[smtp.example.com]:587"))
                .isEqualTo("relay:" + PASSWORD);
        assertThat(query(PostfixConfig.TRANSPORT, ".example.net")).isEqualTo("smtp:");
        assertThat(query(PostfixConfig.TRANSPORT, "example.org"))
                .isEqualTo("smtp:[mx1.example.net]:25, [ipv6:2001:db8::25]:25");
    }

    /**
     * Looks every entry of the map source up in one {@code postmap -q -} call and compares key by
     * key.
     */
    private static void assertReadsBack(String map, String source) throws Exception {
        Map<String, String> expected = new LinkedHashMap<>();
        source.lines()
                .filter(line -> !line.startsWith("#"))
                .forEach(
                        line ->
                                expected.put(
                                        line.substring(0, line.indexOf(' ')),
                                        line.substring(line.indexOf(' ') + 1)));
        assertThat(expected).as(map + " entries").isNotEmpty();
        assertThat(queryAll(map, expected.keySet())).isEqualTo(expected);
    }

    private static String query(String map, String key) throws Exception {
        return queryAll(map, List.of(key)).get(key);
    }

    /**
     * Runs {@code postmap -q - lmdb:MAP}, which reads keys from stdin and prints {@code
     * key<TAB>value}.
     */
    private static Map<String, String> queryAll(String map, Collection<String> keys)
            throws Exception {
        Path input = Files.createTempFile(dir, "keys", ".txt");
        Files.writeString(input, String.join("\n", keys) + "\n");
        Result result =
                run(
                        input,
                        postmap.toString(),
                        "-c",
                        dir.toString(),
                        "-q",
                        "-",
                        "lmdb:" + dir.resolve(map));
        assertThat(result.stderr()).as("postmap -q warnings for " + map).isEmpty();
        Map<String, String> found = new LinkedHashMap<>();
        result.stdout()
                .lines()
                .forEach(
                        line ->
                                found.put(
                                        line.substring(0, line.indexOf('\t')),
                                        line.substring(line.indexOf('\t') + 1)));
        return found;
    }

    private static PostfixConfig render() {
        DefaultRouteRule smarthost =
                new DefaultRouteRule.Smarthost(
                        new NextHop("smtp.example.com", 587, false),
                        TlsLevel.VERIFY,
                        new SaslCredentials("relay", PASSWORD));
        RelaySettings relay =
                new RelaySettings(
                        "mail/relay",
                        "relay.example.com",
                        List.of("2001:db8::/32", "10.0.0.0/8"),
                        smarthost);
        List<TransportRule> rules = new ArrayList<>(Routes.microsoftConsumerDomains());
        rules.add(Routes.rule("example.net", true, TlsLevel.DANE, "ns/dane"));
        rules.add(
                Routes.rule(
                        "example.org",
                        false,
                        TlsLevel.ENCRYPT,
                        "ns/multi",
                        Routes.pinned("mx1.example.net"),
                        Routes.pinned("2001:db8::25")));
        rules.add(
                Routes.rule(
                        "bücher.example",
                        true,
                        TlsLevel.SECURE,
                        "ns/idn",
                        new NextHop("mail.example.net", 2525, true)));
        return new PostfixRenderer().render(relay, rules);
    }

    private static PostfixConfig writeAll(PostfixConfig rendered) throws IOException {
        Files.writeString(dir.resolve("master.cf"), MASTER_CF);
        for (Map.Entry<String, String> file : rendered.publicFiles().entrySet()) {
            Files.writeString(dir.resolve(file.getKey()), file.getValue());
        }
        Files.writeString(dir.resolve(PostfixConfig.SASL_PASSWD), rendered.saslPasswd());
        return rendered;
    }

    private static Optional<Path> findExecutable(String name) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(
                        Stream.of(path.split(File.pathSeparator)),
                        Stream.of("/usr/sbin", "/usr/local/sbin"))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry, name))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private record Result(int exitCode, String stdout, String stderr) {}

    private static Result run(String... command) throws IOException, InterruptedException {
        return run(null, command);
    }

    private static Result run(Path stdin, String... command)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile());
        if (stdin != null) {
            builder.redirectInput(stdin.toFile());
        }
        Process process = builder.start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        return new Result(
                process.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
