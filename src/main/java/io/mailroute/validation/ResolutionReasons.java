package io.mailroute.validation;

import static io.mailroute.status.StatusNames.Reason.*;

import java.util.Set;

/**
 * The Resolved condition status each reason of a domain's resolution stands for, and how the
 * reasons rank. The reasons themselves are declared in {@link
 * io.mailroute.status.StatusNames.Reason}.
 */
public final class ResolutionReasons {
    private static final Set<String> TRUE =
            Set.of(
                    RESOLVED,
                    IMPLICIT_MX,
                    TRUNCATED_NEEDED_TCP,
                    RESOLVERS_DISAGREE,
                    RESOLVED_WITH_WARNINGS,
                    SOME_MX_HOSTS_UNRESOLVABLE,
                    INVALID_MX_HOST_SKIPPED);
    private static final Set<String> UNKNOWN =
            Set.of(MX_LOOKUP_TEMP_FAIL, HOST_LOOKUP_TEMP_FAIL, VALIDATION_OFF);

    private ResolutionReasons() {}

    /** "True", "False" or "Unknown" for the route's Resolved condition. */
    public static String conditionStatus(String reason) {
        if (TRUE.contains(reason)) {
            return "True";
        }
        return UNKNOWN.contains(reason) ? "Unknown" : "False";
    }

    /**
     * Severity for choosing the reason a route reports when its domains differ: higher is worse.
     */
    public static int severity(String reason) {
        return switch (conditionStatus(reason)) {
            case "False" -> 3;
            case "Unknown" -> VALIDATION_OFF.equals(reason) ? 0 : 2;
            default -> RESOLVED.equals(reason) || IMPLICIT_MX.equals(reason) ? 0 : 1;
        };
    }
}
