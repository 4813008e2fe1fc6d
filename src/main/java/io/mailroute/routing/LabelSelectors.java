package io.mailroute.routing;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.mailroute.postfix.SafeText;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Evaluates a Kubernetes {@link LabelSelector} against a label map (matchLabels and
 * matchExpressions).
 */
public final class LabelSelectors {
    private static final Set<String> OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");

    private LabelSelectors() {}

    /**
     * Null when {@code selector} is well formed, else {@code field...: why} for the first problem,
     * with the rules of the Kubernetes API for label selectors: every requirement has a key and one
     * of the four operators, In and NotIn need values, Exists and DoesNotExist take none,
     * matchLabels values are set. The CRD schema does not require key and operator, so a MailRelay
     * from the API server can carry such a selector.
     */
    public static String problem(String field, LabelSelector selector) {
        if (selector == null) {
            return null;
        }
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> entry : selector.getMatchLabels().entrySet()) {
                if (entry.getKey() == null
                        || entry.getKey().isEmpty()
                        || entry.getValue() == null) {
                    return field
                            + ".matchLabels["
                            + SafeText.quote(String.valueOf(entry.getKey()), 63)
                            + "]: key and value must be set";
                }
            }
        }
        List<LabelSelectorRequirement> expressions = selector.getMatchExpressions();
        for (int i = 0; expressions != null && i < expressions.size(); i++) {
            String at = field + ".matchExpressions[" + i + "]";
            LabelSelectorRequirement requirement = expressions.get(i);
            if (requirement == null) {
                return at + ": must not be null";
            }
            if (requirement.getKey() == null || requirement.getKey().isEmpty()) {
                return at + ".key: must be set";
            }
            String operator = requirement.getOperator();
            if (operator == null || !OPERATORS.contains(operator)) {
                return at
                        + ".operator: must be one of In, NotIn, Exists, DoesNotExist"
                        + (operator == null ? "" : ", not " + SafeText.quote(operator, 40));
            }
            List<String> values =
                    requirement.getValues() == null ? List.of() : requirement.getValues();
            boolean needsValues = operator.equals("In") || operator.equals("NotIn");
            if (needsValues && values.isEmpty()) {
                return at + ".values: must not be empty for operator " + operator;
            }
            if (!needsValues && !values.isEmpty()) {
                return at + ".values: must be empty for operator " + operator;
            }
            // not values.contains(null): the empty List.of() above throws on a null argument
            if (requirement.getValues() != null && requirement.getValues().contains(null)) {
                return at
                        + ".values["
                        + requirement.getValues().indexOf(null)
                        + "]: must not be null";
            }
        }
        return null;
    }

    /**
     * True when every matchLabels entry and every matchExpressions requirement holds; an empty
     * selector matches all. A malformed selector (see {@link #problem}) matches nothing.
     */
    public static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null || problem("selector", selector) != null) {
            return false;
        }
        Map<String, String> actual = labels == null ? Map.of() : labels;
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> wanted : selector.getMatchLabels().entrySet()) {
                if (!wanted.getValue().equals(actual.get(wanted.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
                if (!holds(requirement, actual)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean holds(LabelSelectorRequirement requirement, Map<String, String> labels) {
        String value = labels.get(requirement.getKey());
        List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
        return switch (requirement.getOperator()) {
            case "In" -> value != null && values.contains(value);
            case "NotIn" -> value == null || !values.contains(value);
            case "Exists" -> value != null;
            case "DoesNotExist" -> value == null;
            default -> false;
        };
    }
}
