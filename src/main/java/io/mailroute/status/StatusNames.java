package io.mailroute.status;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every name the operator writes into a status: condition types, condition (and event) reasons and
 * the per-domain states of a MailRoute. The one home of these strings: the code uses these
 * constants, {@link Conditions#set} refuses a reason that is not declared here, and {@code
 * StatusNamesDocsTest} checks the CRD descriptions and the README's table of reasons against them
 * (a name missing there, or one there the code never writes, fails the build).
 */
public final class StatusNames {
    private StatusNames() {}

    /** Condition types. */
    public static final class ConditionType {
        public static final String ACCEPTED = "Accepted";
        public static final String RESOLVED = "Resolved";
        public static final String PROGRAMMED = "Programmed";
        public static final String READY = "Ready";
        public static final String DEGRADED = "Degraded";

        /**
         * Whether the relays' recent delivery attempts to the route's domains succeed
         * (reconciler.DeliveryHealth).
         */
        public static final String DELIVERING = "Delivering";

        /** The conditions of a MailRoute. */
        public static final List<String> ROUTE =
                List.of(ACCEPTED, RESOLVED, PROGRAMMED, READY, DEGRADED, DELIVERING);

        /** The conditions of a MailRelay. */
        public static final List<String> RELAY = List.of(PROGRAMMED, READY);

        private ConditionType() {}
    }

    /** {@code status.domains[].state} of a MailRoute: what happened to one domain on one relay. */
    public enum DomainState {
        /** Rendered, and the relay's ConfigMap holds the line. */
        Programmed,
        /** Planned, but the relay's ConfigMap does not hold the line yet. */
        Pending,
        /** An older route owns the domain (or its subdomain tree) on that relay. */
        Conflict,
        /** Live validation keeps the domain out of the configuration. */
        Withheld
    }

    /**
     * CamelCase reasons of conditions and events. Reasons of the Resolved condition (one per domain
     * check) are ranked in {@code validation.ResolutionReasons}.
     */
    public static final class Reason {
        // MailRoute Accepted, and route rejections by a relay's planner (Accepted=False)
        public static final String ACCEPTED = "Accepted";
        public static final String RELAY_NOT_FOUND = "RelayNotFound";

        /**
         * Accepted: the relay has not planned the route yet; Programmed: planned, not yet written.
         */
        public static final String PENDING = "Pending";

        public static final String NOT_ALLOWED_BY_RELAY = "NotAllowedByRelay";
        public static final String RELAY_INVALID = "RelayInvalid";
        public static final String ROUTE_TOO_LARGE = "RouteTooLarge";
        public static final String RELAY_CONFIG_FULL = "RelayConfigFull";
        public static final String CONFLICTS_WITH_OTHER_ROUTE = "ConflictsWithOtherRoute";
        public static final String INVALID_TARGET = "InvalidTarget";

        /**
         * spec.delivery out of range or not usable with the route's target (e.g. implicitTls
         * without TLS).
         */
        public static final String INVALID_DELIVERY = "InvalidDelivery";

        public static final String INVALID_DOMAIN = "InvalidDomain";
        // credentials Secrets (a route's target, or a relay's default smarthost)
        public static final String SECRET_NOT_FOUND = "SecretNotFound";
        public static final String INVALID_SECRET = "InvalidSecret";
        public static final String SECRET_NOT_FOR_CREDENTIALS = "SecretNotForCredentials";
        public static final String SECRET_KEY_MISSING = "SecretKeyMissing";
        public static final String INVALID_CREDENTIALS = "InvalidCredentials";

        // MailRoute Programmed
        public static final String PROGRAMMED = "Programmed";
        public static final String NOT_ACCEPTED = "NotAccepted";
        public static final String DOMAIN_CONFLICT = "DomainConflict";
        public static final String WITHHELD_BY_VALIDATION = "WithheldByValidation";

        // MailRoute Resolved (per domain: the reason of its DomainResolution) and Degraded
        public static final String NOT_CHECKED = "NotChecked";
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

        /**
         * Some MX hosts resolve but their names cannot be a next hop (e.g. {@code mx_1.example});
         * the others are pinned.
         */
        public static final String INVALID_MX_HOST_SKIPPED = "InvalidMxHostSkipped";

        /** Every MX host that resolves has a name that cannot be a next hop: nothing to pin. */
        public static final String INVALID_MX_HOST_NAME = "InvalidMxHostName";

        public static final String NOT_DEGRADED = "NotDegraded";

        // MailRoute Delivering
        public static final String DELIVERED = "Delivered";
        public static final String DELIVERIES_BOUNCING = "DeliveriesBouncing";
        public static final String DELIVERIES_DEFERRED = "DeliveriesDeferred";
        public static final String NO_RECENT_ATTEMPTS = "NoRecentAttempts";
        public static final String NO_DELIVERY_REPORT = "NoDeliveryReport";

        // MailRoute Ready (else the first failing condition's reason)
        public static final String READY = "Ready";

        /**
         * Both resources: reconciliation failed with an exception (Ready, and a MailRelay's
         * Programmed).
         */
        public static final String RECONCILE_ERROR = "ReconcileError";

        // MailRelay Programmed
        public static final String CONFIG_LIVE = "ConfigLive";
        public static final String CONFIG_PENDING = "ConfigPending";
        public static final String CONFIG_REFUSED = "ConfigRefused";
        public static final String CONFIG_INSTALL_FAILED = "ConfigInstallFailed";
        public static final String NO_READY_PODS = "NoReadyPods";
        public static final String INVALID_RELAY = "InvalidRelay";
        public static final String CONFIG_MAP_NOT_OWNED = "ConfigMapNotOwned";

        // MailRelay Ready
        public static final String RELAY_READY = "RelayReady";
        public static final String RELAY_NOT_READY = "RelayNotReady";

        // Events only (Kubernetes Events of a MailRoute)
        public static final String MX_CHANGED = "MxChanged";

        /** Every reason declared above. */
        public static final Set<String> ALL = declared(Reason.class);

        private Reason() {}
    }

    /** The values of the public static String constants of {@code holder}. */
    static Set<String> declared(Class<?> holder) {
        List<String> values = new ArrayList<>();
        for (Field field : holder.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (Modifier.isPublic(modifiers)
                    && Modifier.isStatic(modifiers)
                    && field.getType() == String.class) {
                try {
                    values.add((String) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return Set.copyOf(new TreeSet<>(values));
    }
}
