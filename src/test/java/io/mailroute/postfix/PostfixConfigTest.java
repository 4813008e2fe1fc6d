package io.mailroute.postfix;

import static io.mailroute.postfix.Routes.SECRET;
import static io.mailroute.postfix.Routes.microsoftConsumerDomains;
import static io.mailroute.postfix.Routes.relay;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PostfixConfigTest {

    private static final PostfixConfig BASE =
            new PostfixConfig("main\n", "transport\n", "tls\n", "sasl\n", List.of("transport"));

    private static PostfixConfig withSmarthostCredentials(String password) {
        DefaultRouteRule smarthost =
                new DefaultRouteRule.Smarthost(
                        new NextHop("smtp.example.com", 587, false),
                        TlsLevel.VERIFY,
                        new SaslCredentials("relay", password));
        return new PostfixRenderer().render(relay(smarthost), microsoftConsumerDomains());
    }

    @Test
    void publicFilesNeverContainCredentials() {
        PostfixConfig config = withSmarthostCredentials(SECRET);

        assertThat(config.publicFiles()).containsOnlyKeys("main.cf", "transport", "tls_policy");
        assertThat(config.publicFiles().values())
                .allSatisfy(file -> assertThat(file).doesNotContain(SECRET));
        assertThat(config.publicFiles())
                .containsEntry("main.cf", config.mainCf())
                .containsEntry("transport", config.transport())
                .containsEntry("tls_policy", config.tlsPolicy());
        assertThat(config.saslPasswd()).contains(SECRET);
    }

    @Test
    void toStringRedactsCredentials() {
        PostfixConfig config = withSmarthostCredentials(SECRET);
        assertThat(config.toString()).doesNotContain(SECRET).contains("saslPasswd=<redacted>");
    }

    private static final String KEY =
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    @Test
    void hashIsStableSha256Hex() {
        assertThat(withSmarthostCredentials(SECRET).hash(KEY))
                .isEqualTo(withSmarthostCredentials(SECRET).hash(KEY))
                .matches("[0-9a-f]{64}");
    }

    @Test
    void hashChangesWhenOnlyThePasswordChanges() {
        PostfixConfig before = withSmarthostCredentials(SECRET);
        PostfixConfig after = withSmarthostCredentials(SECRET + "2");
        assertThat(after.publicFiles()).isEqualTo(before.publicFiles());
        assertThat(after.hash(KEY)).isNotEqualTo(before.hash(KEY));
    }

    @Test
    void hashOfTheSamePasswordDiffersWithAnotherKey() {
        PostfixConfig config = withSmarthostCredentials(SECRET);
        assertThat(config.hash(KEY)).isNotEqualTo(config.hash(KEY.replace('0', '1')));
        assertThat(config.hash(PostfixConfig.newHashKey()))
                .isNotEqualTo(config.hash(PostfixConfig.newHashKey()));
    }

    /**
     * The published hash cannot be recomputed from the public files and a guessed password: it is
     * not SHA-256 over the files (the earlier, guessable formula), nor over any of their subsets
     * with or without sasl_passwd.
     */
    @Test
    void hashCannotBeRecomputedWithoutTheKey() throws Exception {
        PostfixConfig config = withSmarthostCredentials(SECRET);
        String published = config.hash(KEY);
        java.util.List<java.util.Map<String, String>> guesses = new java.util.ArrayList<>();
        java.util.SortedMap<String, String> all = new java.util.TreeMap<>(config.publicFiles());
        all.put(PostfixConfig.SASL_PASSWD, config.saslPasswd());
        guesses.add(all);
        guesses.add(config.publicFiles());
        java.util.SortedMap<String, String> emptySasl =
                new java.util.TreeMap<>(config.publicFiles());
        emptySasl.put(PostfixConfig.SASL_PASSWD, "");
        guesses.add(emptySasl);
        for (java.util.Map<String, String> files : guesses) {
            assertThat(published).isNotEqualTo(framedSha256(files));
        }
        // knowing the password is not enough either: with a guessed key the hash differs
        assertThat(config.hash("guessed-key")).isNotEqualTo(published);
    }

    private static String framedSha256(java.util.Map<String, String> files) throws Exception {
        java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
        for (java.util.Map.Entry<String, String> file : files.entrySet()) {
            byte[] content = file.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            digest.update(
                    (file.getKey() + "\0" + content.length + "\0")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            digest.update(content);
        }
        return java.util.HexFormat.of().formatHex(digest.digest());
    }

    @Test
    void credentialsNeedAUsableKeyButPublicOnlyConfigsDoNot() {
        PostfixConfig config = withSmarthostCredentials(SECRET);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> config.hash(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining(SECRET);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> config.hash("x".repeat(65)))
                .isInstanceOf(IllegalArgumentException.class);
        PostfixConfig noSasl = new PostfixConfig("main\n", "transport\n", "tls\n", "", List.of());
        assertThat(noSasl.hash(null)).isEqualTo(noSasl.hash(KEY));
        assertThat(PostfixConfig.newHashKey()).matches("[0-9a-f]{64}");
    }

    @Test
    void hashChangesWhenAnyFileChanges() {
        Set<String> hashes =
                Set.of(
                        BASE.hash(KEY),
                        new PostfixConfig("main \n", "transport\n", "tls\n", "sasl\n", List.of())
                                .hash(KEY),
                        new PostfixConfig("main\n", "transport \n", "tls\n", "sasl\n", List.of())
                                .hash(KEY),
                        new PostfixConfig("main\n", "transport\n", "tls \n", "sasl\n", List.of())
                                .hash(KEY),
                        new PostfixConfig("main\n", "transport\n", "tls\n", "sasl \n", List.of())
                                .hash(KEY),
                        new PostfixConfig("main\n", "transport\n", "tls\n", "", List.of())
                                .hash(KEY));
        assertThat(hashes).hasSize(6);
    }

    @Test
    void hashChangesWhenContentMovesBetweenFiles() {
        // main.cf and sasl_passwd are hashed next to each other; a plain concatenation would not
        // notice this
        PostfixConfig moved =
                new PostfixConfig("main\nsasl\n", "transport\n", "tls\n", "", List.of());
        assertThat(moved.hash(KEY)).isNotEqualTo(BASE.hash(KEY));
    }

    @Test
    void hasSaslFollowsThePasswordFile() {
        assertThat(BASE.hasSasl()).isTrue();
        assertThat(new PostfixConfig("m", "t", "p", "", List.of()).hasSasl()).isFalse();
    }
}
