package io.mailroute.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Label selectors as the Kubernetes API evaluates them: matchLabels and every matchExpressions
 * operator.
 */
class LabelSelectorsTest {

    private static LabelSelector expression(String key, String operator, String... values) {
        return new LabelSelectorBuilder()
                .withMatchExpressions(
                        new LabelSelectorRequirement(
                                key, operator, values.length == 0 ? null : Arrays.asList(values)))
                .build();
    }

    @Test
    void inNeedsTheLabelWithOneOfTheValues() {
        LabelSelector in = expression("env", "In", "prod", "staging");
        assertThat(LabelSelectors.matches(in, Map.of("env", "prod"))).isTrue();
        assertThat(LabelSelectors.matches(in, Map.of("env", "dev"))).isFalse();
        assertThat(LabelSelectors.matches(in, Map.of())).isFalse();
    }

    @Test
    void notInAlsoMatchesWithoutTheLabel() {
        LabelSelector notIn = expression("env", "NotIn", "prod");
        assertThat(LabelSelectors.matches(notIn, Map.of("env", "dev"))).isTrue();
        assertThat(LabelSelectors.matches(notIn, Map.of())).isTrue();
        assertThat(LabelSelectors.matches(notIn, Map.of("env", "prod"))).isFalse();
    }

    @Test
    void existsAndDoesNotExistLookAtTheKeyOnly() {
        assertThat(LabelSelectors.matches(expression("mail", "Exists"), Map.of("mail", "")))
                .isTrue();
        assertThat(LabelSelectors.matches(expression("mail", "Exists"), Map.of())).isFalse();
        assertThat(LabelSelectors.matches(expression("mail", "DoesNotExist"), Map.of())).isTrue();
        assertThat(LabelSelectors.matches(expression("mail", "DoesNotExist"), Map.of("mail", "x")))
                .isFalse();
    }

    @Test
    void everyLabelAndEveryExpressionMustHold() {
        LabelSelector both =
                new LabelSelectorBuilder()
                        .withMatchLabels(Map.of("team", "a"))
                        .addNewMatchExpression()
                        .withKey("env")
                        .withOperator("In")
                        .withValues("prod")
                        .endMatchExpression()
                        .addNewMatchExpression()
                        .withKey("frozen")
                        .withOperator("DoesNotExist")
                        .endMatchExpression()
                        .build();
        assertThat(LabelSelectors.matches(both, Map.of("team", "a", "env", "prod"))).isTrue();
        assertThat(LabelSelectors.matches(both, Map.of("team", "b", "env", "prod"))).isFalse();
        assertThat(LabelSelectors.matches(both, Map.of("team", "a", "env", "prod", "frozen", "1")))
                .isFalse();
        assertThat(LabelSelectors.matches(both, null)).as("no labels").isFalse();
    }

    @Test
    void anEmptySelectorMatchesAllAndNoSelectorNone() {
        assertThat(LabelSelectors.matches(new LabelSelector(), Map.of("x", "y"))).isTrue();
        assertThat(LabelSelectors.matches(null, Map.of("x", "y"))).isFalse();
    }

    @Test
    void malformedExpressionsAreNamedAndMatchNothing() {
        assertThat(LabelSelectors.problem("sel", expression("", "In", "a")))
                .isEqualTo("sel.matchExpressions[0].key: must be set");
        assertThat(LabelSelectors.problem("sel", expression("k", "Has", "a")))
                .isEqualTo(
                        "sel.matchExpressions[0].operator: must be one of In, NotIn, Exists, DoesNotExist, not \"Has\"");
        assertThat(LabelSelectors.problem("sel", expression("k", null)))
                .isEqualTo(
                        "sel.matchExpressions[0].operator: must be one of In, NotIn, Exists, DoesNotExist");
        assertThat(LabelSelectors.problem("sel", expression("k", "In")))
                .isEqualTo(
                        "sel.matchExpressions[0].values: " + "must not be empty for operator In");
        assertThat(LabelSelectors.problem("sel", expression("k", "Exists", "a")))
                .isEqualTo(
                        "sel.matchExpressions[0]" + ".values: must be empty for operator Exists");
        List<String> withNull = new ArrayList<>(List.of("a"));
        withNull.add(null);
        LabelSelector nullValue =
                new LabelSelectorBuilder()
                        .withMatchExpressions(new LabelSelectorRequirement("k", "NotIn", withNull))
                        .build();
        assertThat(LabelSelectors.problem("sel", nullValue))
                .isEqualTo("sel.matchExpressions[0].values[1]: must not be null");
        assertThat(LabelSelectors.matches(expression("k", "In"), Map.of("k", "v")))
                .as("malformed: no match")
                .isFalse();
        LabelSelector nullRequirement = new LabelSelector(null, null);
        nullRequirement.setMatchExpressions(
                new ArrayList<>(Arrays.asList((LabelSelectorRequirement) null)));
        assertThat(LabelSelectors.problem("sel", nullRequirement))
                .isEqualTo("sel.matchExpressions[0]: must not be null");
        assertThat(
                        LabelSelectors.problem(
                                "sel",
                                new LabelSelectorBuilder()
                                        .withMatchLabels(
                                                new java.util.HashMap<>(
                                                        java.util.Collections.singletonMap(
                                                                "k", null)))
                                        .build()))
                .isEqualTo("sel.matchLabels[\"k\"]: key and value must be set");
    }
}
