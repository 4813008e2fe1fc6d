package io.mailroute.postfix;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.status.Conditions;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

class SafeTextTest {

    @Test
    void escapesLineSeparatorsBidiControlsAndControlCharacters() {
        assertThat(SafeText.oneLine("a\u2028b\u2029c\u202ed\u2066e\u200ff\u0007g\nh\u00a0i"))
                .isEqualTo("a\\u2028b\\u2029c\\u202ed\\u2066e\\u200ff\\u0007g\\u000ah\\u00a0i");
        assertThat(SafeText.oneLine("\uDB40\uDC01tag")).isEqualTo("\\u{E0001}tag");
    }

    @Test
    void keepsLettersOfAnyScriptAndBackslashes() {
        assertThat(SafeText.oneLine("bücher.example ДОМЕН 例え \\n"))
                .isEqualTo("bücher.example ДОМЕН 例え \\n");
    }

    @Test
    void quoteEscapesQuotesBackslashesAndShortens() {
        assertThat(SafeText.quote("a\"b\\c\u202e", 80)).isEqualTo("\"a\\\"b\\\\c\\u202e\"");
        assertThat(SafeText.quote("abcdef", 3)).isEqualTo("\"abc...\"");
        assertThat(Inputs.quote("x\u2028y")).isEqualTo("\"x\\u2028y\"");
    }

    @Test
    void conditionMessagesAreEscaped() {
        Conditions conditions = new Conditions(List.of(), 1, Clock.systemUTC());
        conditions.setFalse("Accepted", "InvalidDomain", "domain \"a\u202eb\" is bad");
        assertThat(conditions.get("Accepted").orElseThrow().getMessage())
                .isEqualTo("domain \"a\\u202eb\" is bad");
    }
}
