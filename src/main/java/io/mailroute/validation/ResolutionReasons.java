package io.mailroute.validation;

import java.util.Set;

/** The CamelCase reasons of a domain's resolution and the Resolved condition status each one stands for. */
public final class ResolutionReasons {
    public static final String RESOLVED = "Resolved";
    public static final String IMPLICIT_MX = "ImplicitMx";
    public static final String TRUNCATED_NEEDED_TCP = "TruncatedNeededTcp";
    public static final String RESOLVERS_DISAGREE = "ResolversDisagree";
    public static final String RESOLVED_WITH_WARNINGS = "ResolvedWithWarnings";
    public static final String SOME_MX_HOSTS_UNRESOLVABLE = "SomeMxHostsUnresolvable";
    public static final String MX_LOOKUP_TEMP_FAIL = "MxLookupTempFail";
    public static final String HOST_LOOKUP_TEMP_FAIL = "HostLookupTempFail";
    public static final String VALIDATION_OFF = "ValidationOff";
    public static final String NX_DOMAIN = "NxDomain";
    public static final String NULL_MX = "NullMx";
    public static final String NULL_MX_MIXED = "NullMxMixed";
    public static final String IP_LITERAL_MX = "IpLiteralMx";
    public static final String MX_HOSTS_UNRESOLVABLE = "MxHostsUnresolvable";
    public static final String HOST_NOT_FOUND = "HostNotFound";
    public static final String TARGET_NOT_IN_MX = "TargetNotInMx";
    /** Some MX hosts resolve but their names cannot be a next hop (e.g. {@code mx_1.example}); the others are pinned. */
    public static final String INVALID_MX_HOST_SKIPPED = "InvalidMxHostSkipped";
    /** Every MX host that resolves has a name that cannot be a next hop: nothing to pin. */
    public static final String INVALID_MX_HOST_NAME = "InvalidMxHostName";

    private static final Set<String> TRUE = Set.of(RESOLVED, IMPLICIT_MX, TRUNCATED_NEEDED_TCP, RESOLVERS_DISAGREE,
            RESOLVED_WITH_WARNINGS, SOME_MX_HOSTS_UNRESOLVABLE, INVALID_MX_HOST_SKIPPED);
    private static final Set<String> UNKNOWN = Set.of(MX_LOOKUP_TEMP_FAIL, HOST_LOOKUP_TEMP_FAIL, VALIDATION_OFF);

    private ResolutionReasons() {
    }

    /** "True", "False" or "Unknown" for the route's Resolved condition. */
    public static String conditionStatus(String reason) {
        if (TRUE.contains(reason)) {
            return "True";
        }
        return UNKNOWN.contains(reason) ? "Unknown" : "False";
    }

    /** Severity for choosing the reason a route reports when its domains differ: higher is worse. */
    public static int severity(String reason) {
        return switch (conditionStatus(reason)) {
            case "False" -> 3;
            case "Unknown" -> VALIDATION_OFF.equals(reason) ? 0 : 2;
            default -> RESOLVED.equals(reason) || IMPLICIT_MX.equals(reason) ? 0 : 1;
        };
    }
}
