package io.mailroute.reconciler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mailroute.api.v1alpha1.Defaults;
import io.mailroute.api.v1alpha1.DomainDelivery;
import io.mailroute.api.v1alpha1.DomainResolution;
import io.mailroute.api.v1alpha1.DomainStatus;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.MailRouteStatus;
import io.mailroute.api.v1alpha1.RouteTarget;
import io.mailroute.postfix.SafeText;
import io.mailroute.routing.DomainOutcome;
import io.mailroute.routing.RelayPlan;
import io.mailroute.routing.ResourceKey;
import io.mailroute.routing.RouteOutcome;
import io.mailroute.status.Conditions;
import io.mailroute.status.StatusNames.ConditionType;
import io.mailroute.status.StatusNames.DomainState;
import io.mailroute.status.StatusNames.Reason;
import io.mailroute.validation.ResolutionReasons;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Builds a {@link MailRouteStatus} from what each referenced relay planned and actually wrote, in
 * three steps: per relay ({@link #relayResult}: refused, or the route's domains there), per domain
 * ({@link #domainResult}: its state and, when not programmed, why), then the conditions from all of
 * them.
 */
final class RouteStatusFactory {
    /**
     * One referenced relay: its plan (null when the relay does not exist or has not planned yet),
     * the transport entries of its written ConfigMap (empty when there is none) and the delivery
     * its pods report per routed domain (null when no pod reports it; {@link DeliveryReports}).
     */
    record RelayView(
            ResourceKey relay,
            RelayPlan plan,
            Map<String, String> written,
            Map<String, DomainDelivery> delivery) {}

    /** A condition reason with its message part. */
    record Finding(String reason, String message) {}

    /**
     * One domain on one relay: its status entry, and why it is not programmed (null when it is).
     */
    record DomainResult(DomainStatus status, Finding notProgrammed) {}

    /**
     * One referenced relay: why it does not take the route (null when it does), else the route's
     * domains there.
     */
    record RelayResult(Finding refusal, List<DomainResult> domains) {
        static RelayResult refused(String reason, String message) {
            return new RelayResult(new Finding(reason, message), List.of());
        }
    }

    private RouteStatusFactory() {}

    static MailRouteStatus status(
            MailRoute route,
            Collection<RelayView> relays,
            List<DomainResolution> resolutions,
            Clock clock) {
        MailRouteStatus old = route.getStatus() == null ? new MailRouteStatus() : route.getStatus();
        long generation = generation(route);
        ResourceKey routeKey = ResourceKey.of(route);
        List<RelayResult> results =
                relays.stream().map(view -> relayResult(routeKey, view)).toList();
        List<Finding> refusals =
                results.stream().map(RelayResult::refusal).filter(Objects::nonNull).toList();
        List<DomainResult> domainResults =
                results.stream().flatMap(r -> r.domains().stream()).toList();
        List<Finding> notProgrammed =
                domainResults.stream()
                        .map(DomainResult::notProgrammed)
                        .filter(Objects::nonNull)
                        .toList();
        List<DomainStatus> domains =
                domainResults.stream()
                        .map(DomainResult::status)
                        .sorted(
                                Comparator.comparing((DomainStatus d) -> d.domain)
                                        .thenComparing(d -> d.relay))
                        .collect(Collectors.toCollection(ArrayList::new));

        Conditions conditions = new Conditions(old.conditions, generation, clock);
        if (refusals.isEmpty()) {
            conditions.setTrue(
                    ConditionType.ACCEPTED, Reason.ACCEPTED, "accepted by " + relayList(relays));
        } else {
            conditions.setFalse(
                    ConditionType.ACCEPTED, refusals.get(0).reason(), messages(refusals));
        }
        setResolved(conditions, resolutions);
        if (!refusals.isEmpty()) {
            conditions.setFalse(
                    ConditionType.PROGRAMMED,
                    Reason.NOT_ACCEPTED,
                    "not accepted by every referenced relay");
        } else if (!notProgrammed.isEmpty()) {
            conditions.setFalse(
                    ConditionType.PROGRAMMED,
                    notProgrammedReason(notProgrammed),
                    messages(notProgrammed));
        } else {
            conditions.setTrue(
                    ConditionType.PROGRAMMED,
                    Reason.PROGRAMMED,
                    domains.size()
                            + " domain entr"
                            + (domains.size() == 1 ? "y" : "ies")
                            + " present in the relay configuration");
        }
        setReady(conditions);
        DeliveryHealth.set(conditions, domains);

        MailRouteStatus status = new MailRouteStatus();
        status.observedGeneration = generation;
        status.conditions = conditions.build();
        status.target = targetSummary(route.getSpec().target);
        status.delivery = DeliveryHealth.summary(domains);
        status.domains = domains;
        status.resolutions = resolutions;
        return status;
    }

    /**
     * Per relay: refused (it does not exist, has not planned the route, or rejected it), else each
     * domain.
     */
    static RelayResult relayResult(ResourceKey route, RelayView view) {
        if (view.plan() == null) {
            return RelayResult.refused(
                    Reason.RELAY_NOT_FOUND, "MailRelay " + view.relay() + " does not exist");
        }
        RouteOutcome outcome = view.plan().outcome(route).orElse(null);
        if (outcome == null) {
            return RelayResult.refused(
                    Reason.PENDING, "MailRelay " + view.relay() + " has not seen this route yet");
        }
        if (!outcome.accepted()) {
            return RelayResult.refused(outcome.reason(), outcome.message());
        }
        Map<String, String> written = view.written() == null ? Map.of() : view.written();
        return new RelayResult(
                null,
                outcome.domains().stream()
                        .map(
                                domain ->
                                        withDelivery(
                                                domainResult(view.relay(), domain, written),
                                                view.delivery()))
                        .toList());
    }

    /**
     * Whether {@code view}'s relay planned a line for {@code route} that its written ConfigMap does
     * not hold yet (the route's status would say "not yet written").
     */
    static boolean awaitsWrite(ResourceKey route, RelayView view) {
        RouteOutcome outcome = view.plan() == null ? null : view.plan().outcome(route).orElse(null);
        if (outcome == null || !outcome.accepted()) {
            return false;
        }
        Map<String, String> written = view.written() == null ? Map.of() : view.written();
        return outcome.domains().stream()
                .anyMatch(
                        d ->
                                d.state() == DomainOutcome.State.Programmed
                                        && !d.nextHop().equals(written.get(d.domain())));
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Whether {@code next} differs from {@code current} only in when its domains were checked
     * ({@code checkedAt}, {@code nextCheckAt} of every resolution) and every check recorded in
     * {@code current} is younger than {@code refresh}. Such a re-check found nothing new: writing
     * it would cost the API server a route write per domain per DNS TTL (at 10,000 routes and a 300
     * s TTL, 33 writes a second, seen by every watcher of the routes) to move two timestamps. The
     * operator keeps it in memory (Planning.offer) and schedules the next check from it; the status
     * records a re-check that found nothing new at least every {@code refresh}.
     */
    static boolean onlyCheckTimesMoved(
            MailRouteStatus current, MailRouteStatus next, Duration refresh, Instant now) {
        if (current == null || current.resolutions == null || next.resolutions == null) {
            return false;
        }
        for (DomainResolution r : current.resolutions) {
            if (r.checkedAt == null || Instant.parse(r.checkedAt).plus(refresh).isBefore(now)) {
                return false;
            }
        }
        return withoutCheckTimes(current).equals(withoutCheckTimes(next));
    }

    private static JsonNode withoutCheckTimes(MailRouteStatus status) {
        JsonNode tree = JSON.valueToTree(status);
        JsonNode resolutions = tree.get("resolutions");
        if (resolutions != null) {
            for (JsonNode r : resolutions) {
                if (r instanceof ObjectNode o) {
                    o.remove(List.of("checkedAt", "nextCheckAt"));
                }
            }
        }
        return tree;
    }

    /**
     * A programmed domain carries the delivery its relay's pods report for it (none before any
     * report).
     */
    private static DomainResult withDelivery(
            DomainResult result, Map<String, DomainDelivery> delivery) {
        if (delivery != null && DomainState.Programmed.name().equals(result.status().state)) {
            result.status().delivery = delivery.get(result.status().domain);
        }
        return result;
    }

    /**
     * Per domain: Programmed only when the relay's written ConfigMap holds the planned next hop
     * (else Pending); Conflict and Withheld as planned.
     */
    static DomainResult domainResult(
            ResourceKey relay, DomainOutcome domain, Map<String, String> written) {
        return switch (domain.state()) {
            case Programmed ->
                    domain.nextHop().equals(written.get(domain.domain()))
                            ? domainResult(
                                    relay, domain, DomainState.Programmed, domain.message(), null)
                            : domainResult(
                                    relay,
                                    domain,
                                    DomainState.Pending,
                                    "waiting for MailRelay "
                                            + relay
                                            + " to write its configuration",
                                    new Finding(
                                            Reason.PENDING,
                                            domain.domain()
                                                    + " on "
                                                    + relay
                                                    + ": not yet written"));
            case Conflict ->
                    domainResult(
                            relay,
                            domain,
                            DomainState.Conflict,
                            domain.message(),
                            new Finding(Reason.DOMAIN_CONFLICT, domain.message()));
            case Withheld ->
                    domainResult(
                            relay,
                            domain,
                            DomainState.Withheld,
                            domain.message(),
                            new Finding(
                                    Reason.WITHHELD_BY_VALIDATION,
                                    domain.domain() + " withheld: " + domain.message()));
        };
    }

    private static DomainResult domainResult(
            ResourceKey relay,
            DomainOutcome domain,
            DomainState state,
            String message,
            Finding notProgrammed) {
        return new DomainResult(
                new DomainStatus(
                        domain.domain(),
                        relay.toString(),
                        state == DomainState.Programmed ? domain.nextHop() : null,
                        state.name(),
                        SafeText.oneLine(message)),
                notProgrammed);
    }

    /**
     * A domain conflict outweighs the others (it needs a person); otherwise the first domain's
     * reason.
     */
    private static String notProgrammedReason(List<Finding> notProgrammed) {
        return notProgrammed.stream().anyMatch(f -> Reason.DOMAIN_CONFLICT.equals(f.reason()))
                ? Reason.DOMAIN_CONFLICT
                : notProgrammed.get(0).reason();
    }

    private static String messages(List<Finding> findings) {
        return findings.stream().map(Finding::message).collect(Collectors.joining("; "));
    }

    /**
     * Resolved takes the worst domain's reason; Degraded says whether last known good next hops are
     * in use.
     */
    private static void setResolved(Conditions conditions, List<DomainResolution> resolutions) {
        if (resolutions.isEmpty()) {
            conditions.set(
                    ConditionType.RESOLVED,
                    Conditions.UNKNOWN,
                    Reason.NOT_CHECKED,
                    "no domain has been checked yet");
            conditions.setFalse(
                    ConditionType.DEGRADED, Reason.NOT_DEGRADED, "no temporary DNS failure");
            return;
        }
        DomainResolution worst =
                resolutions.stream()
                        .max(
                                Comparator.comparingInt(
                                        (DomainResolution r) ->
                                                ResolutionReasons.severity(r.reason)))
                        .orElseThrow();
        String status = ResolutionReasons.conditionStatus(worst.reason);
        String message =
                resolutions.stream()
                        .filter(
                                r ->
                                        ResolutionReasons.severity(r.reason)
                                                == ResolutionReasons.severity(worst.reason))
                        .map(r -> r.domain + ": " + r.message)
                        .collect(Collectors.joining("; "));
        conditions.set(ConditionType.RESOLVED, status, worst.reason, message);
        List<String> degraded =
                resolutions.stream()
                        .filter(r -> r.tempFailures != null && r.tempFailures > 0)
                        .map(r -> r.domain + ": " + r.message)
                        .toList();
        if (degraded.isEmpty()) {
            conditions.setFalse(
                    ConditionType.DEGRADED, Reason.NOT_DEGRADED, "no temporary DNS failure");
        } else {
            String reason =
                    resolutions.stream()
                            .filter(r -> r.tempFailures != null && r.tempFailures > 0)
                            .map(r -> r.reason)
                            .findFirst()
                            .orElseThrow();
            conditions.setTrue(
                    ConditionType.DEGRADED,
                    reason,
                    String.join("; ", degraded) + " (last known good next hops stay rendered)");
        }
    }

    private static void setReady(Conditions conditions) {
        for (String type :
                List.of(ConditionType.ACCEPTED, ConditionType.PROGRAMMED, ConditionType.RESOLVED)) {
            var condition = conditions.get(type).orElseThrow();
            if (Conditions.FALSE.equals(condition.getStatus())) {
                conditions.setFalse(
                        ConditionType.READY,
                        condition.getReason(),
                        type + ": " + condition.getMessage());
                return;
            }
        }
        conditions.setTrue(ConditionType.READY, Reason.READY, "route is accepted and programmed");
    }

    static MailRouteStatus error(MailRoute route, Exception e, Clock clock) {
        MailRouteStatus old = route.getStatus() == null ? new MailRouteStatus() : route.getStatus();
        MailRouteStatus status = new MailRouteStatus();
        status.observedGeneration = generation(route);
        status.target = old.target;
        status.delivery = old.delivery;
        status.domains = old.domains;
        status.resolutions = old.resolutions;
        status.conditions =
                new Conditions(old.conditions, generation(route), clock)
                        .setFalse(
                                ConditionType.READY,
                                Reason.RECONCILE_ERROR,
                                String.valueOf(e.getMessage()))
                        .build();
        return status;
    }

    static String targetSummary(RouteTarget target) {
        if (target == null || target.kind() == null) {
            return "invalid";
        }
        return switch (target.kind()) {
            case MX -> "mx";
            case HOSTS ->
                    "hosts: "
                            + target.hosts.stream()
                                    .map(
                                            h ->
                                                    h.host
                                                            + ":"
                                                            + (h.port == null
                                                                    ? Defaults.SMTP_PORT
                                                                    : h.port))
                                    .collect(Collectors.joining(", "));
            case RELAY ->
                    "relay: "
                            + target.relay.host
                            + ":"
                            + (target.relay.port == null
                                    ? Defaults.SUBMISSION_PORT
                                    : target.relay.port);
        };
    }

    private static String relayList(Collection<RelayView> relays) {
        return relays.stream().map(v -> "MailRelay " + v.relay()).collect(Collectors.joining(", "));
    }

    private static long generation(MailRoute route) {
        return route.getMetadata().getGeneration() == null
                ? 0
                : route.getMetadata().getGeneration();
    }
}
