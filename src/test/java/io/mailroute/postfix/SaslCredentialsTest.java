package io.mailroute.postfix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SaslCredentialsTest {

    private static final String SECRET = "s3cr3t-Pa55";

    @Test
    void keepsValidCredentialsIncludingSpecialCharactersInThePassword() {
        SaslCredentials credentials =
                SaslCredentials.of("spec.auth", "relay@example.com", "p:a#s,s");
        assertThat(credentials.username()).isEqualTo("relay@example.com");
        assertThat(credentials.password()).isEqualTo("p:a#s,s");
        assertThat(credentials.mapValue()).isEqualTo("relay@example.com:p:a#s,s");
    }

    @Test
    void toStringRedactsThePassword() {
        assertThat(new SaslCredentials("relay", SECRET).toString())
                .isEqualTo("SaslCredentials[username=relay, password=<redacted>]")
                .doesNotContain(SECRET);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "relay|''|password must not be empty",
                "''|" + SECRET + "|username must not be empty",
                "relay:x|" + SECRET + "|username contains a colon",
                "re lay|" + SECRET + "|username contains whitespace",
                "relay|" + SECRET + " x|password contains whitespace",
                "relay|" + SECRET + "\\t|password contains whitespace",
            })
    void rejectsInvalidCredentialsWithoutEchoingThem(
            String username, String password, String reason) {
        String realPassword = password.replace("\\t", "\t");
        assertThatThrownBy(() -> SaslCredentials.of("spec.auth", username, realPassword))
                .isInstanceOf(PostfixInputException.class)
                .hasMessage("spec.auth: " + reason)
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void rejectsLineBreaksInThePasswordWithoutEchoingIt() {
        assertThatThrownBy(() -> new SaslCredentials("relay", SECRET + "\n[evil]:25 x:y"))
                .isInstanceOf(PostfixInputException.class)
                .hasMessage("sasl: password contains a line break")
                .hasMessageNotContaining(SECRET);
        assertThatThrownBy(() -> new SaslCredentials("relay", SECRET + "\u0007"))
                .hasMessage("sasl: password contains a control character");
    }

    @Test
    void doesNotEchoAPasswordPastedIntoTheUsername() {
        assertThatThrownBy(() -> SaslCredentials.of("spec.auth", "relay " + SECRET, SECRET))
                .hasMessage("spec.auth: username contains whitespace")
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void rejectsNullParts() {
        assertThatThrownBy(() -> new SaslCredentials(null, SECRET))
                .hasMessage("sasl: username must not be empty");
        assertThatThrownBy(() -> new SaslCredentials("relay", null))
                .hasMessage("sasl: password must not be empty");
    }
}
