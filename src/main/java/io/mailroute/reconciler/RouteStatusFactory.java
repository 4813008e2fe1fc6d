package io.mailroute.reconciler;

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
import io.mailroute.validation.ResolutionReasons;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Builds a {@link MailRouteStatus} from what each referenced relay planned and actually wrote. */
final class RouteStatusFactory {
    static final String ACCEPTED = "Accepted";
    static final String RESOLVED = "Resolved";
    static final String PROGRAMMED = "Programmed";
    static final String READY = "Ready";

    /**
     * One referenced relay: its plan (null when the relay does not exist or has not planned yet), the transport
     * entries of its written ConfigMap (empty when there is none) and the delivery its pods report per routed domain
     * (null when no pod reports it; {@link DeliveryReports}).
     */
    record RelayView(ResourceKey relay, RelayPlan plan, Map<String, String> written,
                     Map<String, DomainDelivery> delivery) {
    }

    private RouteStatusFactory() {
    }

    static final String DEGRADED = "Degraded";

    static MailRouteStatus status(MailRoute route, Collection<RelayView> relays, List<DomainResolution> resolutions,
                                  Clock clock) {
        MailRouteStatus old = route.getStatus() == null ? new MailRouteStatus() : route.getStatus();
        long generation = generation(route);
        ResourceKey routeKey = ResourceKey.of(route);
        List<String> refusals = new ArrayList<>();
        String refusalReason = null;
        List<String> notProgrammed = new ArrayList<>();
        String notProgrammedReason = null;
        List<DomainStatus> domains = new ArrayList<>();
        for (RelayView view : relays) {
            if (view.plan() == null) {
                refusalReason = refusalReason == null ? "RelayNotFound" : refusalReason;
                refusals.add("MailRelay " + view.relay() + " does not exist");
                continue;
            }
            RouteOutcome outcome = view.plan().outcome(routeKey).orElse(null);
            if (outcome == null || !outcome.accepted()) {
                String reason = outcome == null ? "Pending" : outcome.reason();
                refusalReason = refusalReason == null ? reason : refusalReason;
                refusals.add(outcome == null ? "MailRelay " + view.relay() + " has not seen this route yet"
                        : outcome.message());
                continue;
            }
            Map<String, String> written = view.written() == null ? Map.of() : view.written();
            for (DomainOutcome domain : outcome.domains()) {
                String state = domain.state().name();
                String message = domain.message();
                if (domain.state() == DomainOutcome.State.Programmed && !domain.nextHop().equals(written.get(domain.domain()))) {
                    state = "Pending";
                    message = "waiting for MailRelay " + view.relay() + " to write its configuration";
                    notProgrammedReason = notProgrammedReason == null ? "Pending" : notProgrammedReason;
                    notProgrammed.add(domain.domain() + " on " + view.relay() + ": not yet written");
                } else if (domain.state() == DomainOutcome.State.Conflict) {
                    notProgrammedReason = "DomainConflict";
                    notProgrammed.add(message);
                } else if (domain.state() == DomainOutcome.State.Withheld) {
                    notProgrammedReason = notProgrammedReason == null ? "WithheldByValidation" : notProgrammedReason;
                    notProgrammed.add(domain.domain() + " withheld: " + message);
                }
                DomainStatus domainStatus = new DomainStatus(domain.domain(), view.relay().toString(),
                        state.equals("Programmed") ? domain.nextHop() : null, state, SafeText.oneLine(message));
                if (state.equals("Programmed") && view.delivery() != null) {
                    domainStatus.delivery = view.delivery().get(domain.domain());
                }
                domains.add(domainStatus);
            }
        }
        domains.sort(Comparator.comparing((DomainStatus d) -> d.domain).thenComparing(d -> d.relay));

        Conditions conditions = new Conditions(old.conditions, generation, clock);
        if (refusals.isEmpty()) {
            conditions.setTrue(ACCEPTED, "Accepted", "accepted by " + relayList(relays));
        } else {
            conditions.setFalse(ACCEPTED, refusalReason, String.join("; ", refusals));
        }
        setResolved(conditions, resolutions);
        if (!refusals.isEmpty()) {
            conditions.setFalse(PROGRAMMED, "NotAccepted", "not accepted by every referenced relay");
        } else if (!notProgrammed.isEmpty()) {
            conditions.setFalse(PROGRAMMED, notProgrammedReason, String.join("; ", notProgrammed));
        } else {
            conditions.setTrue(PROGRAMMED, "Programmed", domains.size() + " domain entr"
                    + (domains.size() == 1 ? "y" : "ies") + " present in the relay configuration");
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

    /** Resolved takes the worst domain's reason; Degraded says whether last known good next hops are in use. */
    private static void setResolved(Conditions conditions, List<DomainResolution> resolutions) {
        if (resolutions.isEmpty()) {
            conditions.set(RESOLVED, Conditions.UNKNOWN, "NotChecked", "no domain has been checked yet");
            conditions.setFalse(DEGRADED, "NotDegraded", "no temporary DNS failure");
            return;
        }
        DomainResolution worst = resolutions.stream()
                .max(Comparator.comparingInt((DomainResolution r) -> ResolutionReasons.severity(r.reason)))
                .orElseThrow();
        String status = ResolutionReasons.conditionStatus(worst.reason);
        String message = resolutions.stream()
                .filter(r -> ResolutionReasons.severity(r.reason) == ResolutionReasons.severity(worst.reason))
                .map(r -> r.domain + ": " + r.message).collect(Collectors.joining("; "));
        conditions.set(RESOLVED, status, worst.reason, message);
        List<String> degraded = resolutions.stream()
                .filter(r -> r.tempFailures != null && r.tempFailures > 0)
                .map(r -> r.domain + ": " + r.message).toList();
        if (degraded.isEmpty()) {
            conditions.setFalse(DEGRADED, "NotDegraded", "no temporary DNS failure");
        } else {
            String reason = resolutions.stream().filter(r -> r.tempFailures != null && r.tempFailures > 0)
                    .map(r -> r.reason).findFirst().orElseThrow();
            conditions.setTrue(DEGRADED, reason, String.join("; ", degraded)
                    + " (last known good next hops stay rendered)");
        }
    }

    private static void setReady(Conditions conditions) {
        for (String type : List.of(ACCEPTED, PROGRAMMED, RESOLVED)) {
            var condition = conditions.get(type).orElseThrow();
            if (Conditions.FALSE.equals(condition.getStatus())) {
                conditions.setFalse(READY, condition.getReason(), type + ": " + condition.getMessage());
                return;
            }
        }
        conditions.setTrue(READY, "Ready", "route is accepted and programmed");
    }

    static MailRouteStatus error(MailRoute route, Exception e, Clock clock) {
        MailRouteStatus old = route.getStatus() == null ? new MailRouteStatus() : route.getStatus();
        MailRouteStatus status = new MailRouteStatus();
        status.observedGeneration = generation(route);
        status.target = old.target;
        status.delivery = old.delivery;
        status.domains = old.domains;
        status.resolutions = old.resolutions;
        status.conditions = new Conditions(old.conditions, generation(route), clock)
                .setFalse(READY, "ReconcileError", String.valueOf(e.getMessage())).build();
        return status;
    }

    static String targetSummary(RouteTarget target) {
        if (target == null || target.kind() == null) {
            return "invalid";
        }
        return switch (target.kind()) {
            case MX -> "mx";
            case HOSTS -> "hosts: " + target.hosts.stream()
                    .map(h -> h.host + ":" + (h.port == null ? 25 : h.port)).collect(Collectors.joining(", "));
            case RELAY -> "relay: " + target.relay.host + ":" + (target.relay.port == null ? 587 : target.relay.port);
        };
    }

    private static String relayList(Collection<RelayView> relays) {
        return relays.stream().map(v -> "MailRelay " + v.relay()).collect(Collectors.joining(", "));
    }

    private static long generation(MailRoute route) {
        return route.getMetadata().getGeneration() == null ? 0 : route.getMetadata().getGeneration();
    }
}
