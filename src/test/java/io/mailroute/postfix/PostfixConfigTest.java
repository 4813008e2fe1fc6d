package io.mailroute.postfix;

import static io.mailroute.postfix.Routes.SECRET;
import static io.mailroute.postfix.Routes.microsoftConsumerDomains;
import static io.mailroute.postfix.Routes.relay;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PostfixConfigTest {

    private static final PostfixConfig BASE = new PostfixConfig("main\n", "transport\n", "tls\n", "sasl\n",
            List.of("transport"));

    private static PostfixConfig withSmarthostCredentials(String password) {
        DefaultRoute smarthost = new DefaultRoute.Smarthost(new NextHop("smtp.example.com", 587, false),
                TlsPolicy.VERIFY, new SaslCredentials("relay", password));
        return new PostfixRenderer().render(relay(smarthost), microsoftConsumerDomains());
    }

    @Test
    void publicFilesNeverContainCredentials() {
        PostfixConfig config = withSmarthostCredentials(SECRET);

        assertThat(config.publicFiles()).containsOnlyKeys("main.cf", "transport", "tls_policy");
        assertThat(config.publicFiles().values()).allSatisfy(file -> assertThat(file).doesNotContain(SECRET));
        assertThat(config.publicFiles()).containsEntry("main.cf", config.mainCf())
                .containsEntry("transport", config.transport())
                .containsEntry("tls_policy", config.tlsPolicy());
        assertThat(config.saslPasswd()).contains(SECRET);
    }

    @Test
    void toStringRedactsCredentials() {
        PostfixConfig config = withSmarthostCredentials(SECRET);
        assertThat(config.toString()).doesNotContain(SECRET).contains("saslPasswd=<redacted>");
    }

    @Test
    void hashIsStableSha256Hex() {
        assertThat(withSmarthostCredentials(SECRET).hash())
                .isEqualTo(withSmarthostCredentials(SECRET).hash())
                .matches("[0-9a-f]{64}");
    }

    @Test
    void hashChangesWhenOnlyThePasswordChanges() {
        PostfixConfig before = withSmarthostCredentials(SECRET);
        PostfixConfig after = withSmarthostCredentials(SECRET + "2");
        assertThat(after.publicFiles()).isEqualTo(before.publicFiles());
        assertThat(after.hash()).isNotEqualTo(before.hash());
    }

    @Test
    void hashChangesWhenAnyFileChanges() {
        Set<String> hashes = Set.of(
                BASE.hash(),
                new PostfixConfig("main \n", "transport\n", "tls\n", "sasl\n", List.of()).hash(),
                new PostfixConfig("main\n", "transport \n", "tls\n", "sasl\n", List.of()).hash(),
                new PostfixConfig("main\n", "transport\n", "tls \n", "sasl\n", List.of()).hash(),
                new PostfixConfig("main\n", "transport\n", "tls\n", "sasl \n", List.of()).hash(),
                new PostfixConfig("main\n", "transport\n", "tls\n", "", List.of()).hash());
        assertThat(hashes).hasSize(6);
    }

    @Test
    void hashChangesWhenContentMovesBetweenFiles() {
        // main.cf and sasl_passwd are hashed next to each other; a plain concatenation would not notice this
        PostfixConfig moved = new PostfixConfig("main\nsasl\n", "transport\n", "tls\n", "", List.of());
        assertThat(moved.hash()).isNotEqualTo(BASE.hash());
    }

    @Test
    void hasSaslFollowsThePasswordFile() {
        assertThat(BASE.hasSasl()).isTrue();
        assertThat(new PostfixConfig("m", "t", "p", "", List.of()).hasSasl()).isFalse();
    }
}
