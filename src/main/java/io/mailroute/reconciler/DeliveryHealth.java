package io.mailroute.reconciler;

import io.mailroute.api.v1alpha1.DomainDelivery;
import io.mailroute.api.v1alpha1.DomainStatus;
import io.mailroute.status.Conditions;
import io.mailroute.status.StatusNames;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code Delivering} condition of a route, from the delivery its relays report per domain
 * ({@link DomainStatus#delivery}). The rule, per domain and relay, over the relay's recent window
 * (10 minutes by default): a domain is failing when at least {@value #MIN_FAILURES} attempts failed
 * (deferred or bounced) and failures are at least half of all attempts. So one deferral (a
 * greylisting next hop, a restart) never turns the route False, and a domain recovers once
 * successes outnumber failures or the failures leave the window.
 *
 * <ul>
 *   <li>False, {@value StatusNames.Reason.DELIVERIES_BOUNCING}: a failing domain whose last attempt
 *       bounced (a permanent refusal such as {@code 550 5.7.57 Client not authenticated}), or
 *       {@value StatusNames.Reason.DELIVERIES_DEFERRED} when it was deferred;
 *   <li>True, {@value StatusNames.Reason.DELIVERED}: attempts were made and no domain is failing;
 *   <li>Unknown, {@value StatusNames.Reason.NO_RECENT_ATTEMPTS}: the relays report, but nothing was
 *       attempted in the window;
 *   <li>Unknown, {@value StatusNames.Reason.NO_DELIVERY_REPORT}: no relay pod reports delivery
 *       (none running, or an older relay image).
 * </ul>
 *
 * The condition does not feed Ready: Ready says the route is in place; Delivering says what the
 * next hops make of it.
 */
final class DeliveryHealth {
    static final int MIN_FAILURES = 3;

    private DeliveryHealth() {}

    static boolean failing(DomainDelivery d) {
        int failures = value(d.deferred) + value(d.bounced);
        int attempts = failures + value(d.sent);
        return failures >= MIN_FAILURES && 2 * failures >= attempts;
    }

    static void set(Conditions conditions, List<DomainStatus> domains) {
        List<DomainStatus> reported = domains.stream().filter(d -> d.delivery != null).toList();
        if (reported.isEmpty()) {
            conditions.set(
                    StatusNames.ConditionType.DELIVERING,
                    Conditions.UNKNOWN,
                    StatusNames.Reason.NO_DELIVERY_REPORT,
                    "no relay pod reports delivery for this route's domains yet");
            return;
        }
        List<String> failures = new ArrayList<>();
        String reason = null;
        for (DomainStatus domain : reported) {
            DomainDelivery d = domain.delivery;
            if (!failing(d)) {
                continue;
            }
            if (reason == null || "bounced".equals(d.lastResult)) {
                reason =
                        "bounced".equals(d.lastResult)
                                ? StatusNames.Reason.DELIVERIES_BOUNCING
                                : StatusNames.Reason.DELIVERIES_DEFERRED;
            }
            failures.add(
                    domain.domain
                            + " on "
                            + domain.relay
                            + ": "
                            + (value(d.deferred) + value(d.bounced))
                            + " of "
                            + (value(d.deferred) + value(d.bounced) + value(d.sent))
                            + " attempts failed in "
                            + window(d)
                            + lastAttempt(d));
        }
        if (!failures.isEmpty()) {
            conditions.setFalse(
                    StatusNames.ConditionType.DELIVERING, reason, String.join("; ", failures));
            return;
        }
        int sent = reported.stream().mapToInt(d -> value(d.delivery.sent)).sum();
        int attempts =
                reported.stream()
                        .mapToInt(
                                d ->
                                        value(d.delivery.sent)
                                                + value(d.delivery.deferred)
                                                + value(d.delivery.bounced))
                        .sum();
        int queued = reported.stream().mapToInt(d -> value(d.delivery.queued)).sum();
        if (attempts == 0) {
            conditions.set(
                    StatusNames.ConditionType.DELIVERING,
                    Conditions.UNKNOWN,
                    StatusNames.Reason.NO_RECENT_ATTEMPTS,
                    "no delivery attempt in the last "
                            + window(reported.get(0).delivery)
                            + (queued > 0 ? "; " + queued + " recipient(s) queued" : ""));
            return;
        }
        // no counts in this message: it would change with every message and move lastTransitionTime
        // each time
        conditions.setTrue(
                StatusNames.ConditionType.DELIVERING,
                StatusNames.Reason.DELIVERED,
                "no domain failing in the last "
                        + window(reported.get(0).delivery)
                        + (sent > 0 ? "" : " (no delivery accepted yet)")
                        + "; counts in status.delivery");
    }

    /**
     * "sent 12, deferred 0, bounced 3, queued 1 (10m)" over every domain and relay, or null without
     * reports.
     */
    static String summary(List<DomainStatus> domains) {
        List<DomainDelivery> reported =
                domains.stream().map(d -> d.delivery).filter(d -> d != null).toList();
        if (reported.isEmpty()) {
            return null;
        }
        return "sent "
                + reported.stream().mapToInt(d -> value(d.sent)).sum()
                + ", deferred "
                + reported.stream().mapToInt(d -> value(d.deferred)).sum()
                + ", bounced "
                + reported.stream().mapToInt(d -> value(d.bounced)).sum()
                + ", queued "
                + reported.stream().mapToInt(d -> value(d.queued)).sum()
                + " ("
                + window(reported.get(0))
                + ")";
    }

    private static String lastAttempt(DomainDelivery d) {
        if (d.lastResult == null) {
            return "";
        }
        return "; last "
                + d.lastResult
                + (d.lastTime == null ? "" : " at " + d.lastTime)
                + (d.lastReply == null ? "" : ": " + d.lastReply);
    }

    private static String window(DomainDelivery d) {
        int seconds = value(d.windowSeconds);
        return seconds % 60 == 0 && seconds > 0 ? seconds / 60 + "m" : seconds + "s";
    }

    private static int value(Integer i) {
        return i == null ? 0 : i;
    }
}
