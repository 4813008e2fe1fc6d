package io.mailroute.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.Condition;
import io.mailroute.api.v1alpha1.DomainResolution;
import io.mailroute.api.v1alpha1.DomainStatus;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.MailRouteStatus;
import io.mailroute.api.v1alpha1.NextHopHost;
import io.mailroute.api.v1alpha1.RouteTarget;
import io.mailroute.api.v1alpha1.SmarthostTarget;
import io.mailroute.reconciler.RouteStatusFactory.DomainResult;
import io.mailroute.reconciler.RouteStatusFactory.RelayView;
import io.mailroute.routing.DomainOutcome;
import io.mailroute.routing.RelayPlan;
import io.mailroute.routing.ResourceKey;
import io.mailroute.routing.RouteOutcome;
import io.mailroute.testing.Resources;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * How the relays' plans, their written ConfigMaps and the DNS checks become a MailRoute's
 * conditions and per-domain states, without an API server (in the style of the Keycloak operator's
 * status aggregator test: build the inputs, assert conditions and reasons).
 */
class RouteStatusFactoryTest {
    private static final Clock T1 =
            Clock.fixed(Instant.parse("2026-01-01T10:00:00Z"), ZoneOffset.UTC);
    private static final Clock T2 =
            Clock.fixed(Instant.parse("2026-01-01T11:00:00Z"), ZoneOffset.UTC);
    private static final ResourceKey RELAY_A = new ResourceKey("mail", "a");
    private static final ResourceKey RELAY_B = new ResourceKey("mail", "b");
    private static final String HOP = "smtp:[mx.example.net]:25";

    private final MailRoute route =
            Resources.pinnedRoute("team", "r", "a", "mx.example.net", "one.example", "two.example");
    private final ResourceKey routeKey = ResourceKey.of(route);

    private static DomainOutcome programmed(String domain) {
        return new DomainOutcome(domain, HOP, DomainOutcome.State.Programmed, "");
    }

    private RelayView accepted(
            ResourceKey relay, Map<String, String> written, DomainOutcome... domains) {
        RouteOutcome outcome = new RouteOutcome(routeKey, true, "Accepted", "", List.of(domains));
        return new RelayView(
                relay,
                new RelayPlan(relay, Optional.empty(), null, null, Map.of(routeKey, outcome)),
                written,
                null);
    }

    private RelayView rejected(ResourceKey relay, String reason, String message) {
        RouteOutcome outcome = new RouteOutcome(routeKey, false, reason, message, List.of());
        return new RelayView(
                relay,
                new RelayPlan(relay, Optional.empty(), null, null, Map.of(routeKey, outcome)),
                Map.of(),
                null);
    }

    private static DomainResolution resolution(String domain, String reason, int tempFailures) {
        DomainResolution r = new DomainResolution();
        r.domain = domain;
        r.reason = reason;
        r.message = reason + " message";
        r.tempFailures = tempFailures;
        return r;
    }

    private MailRouteStatus status(List<DomainResolution> resolutions, RelayView... relays) {
        return RouteStatusFactory.status(route, List.of(relays), resolutions, T1);
    }

    private static Condition condition(MailRouteStatus status, String type) {
        return status.conditions.stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst()
                .orElseThrow();
    }

    private static void assertCondition(
            MailRouteStatus status, String type, String value, String reason) {
        Condition c = condition(status, type);
        assertThat(c.getStatus()).as("%s status (%s)", type, c.getMessage()).isEqualTo(value);
        assertThat(c.getReason()).as("%s reason (%s)", type, c.getMessage()).isEqualTo(reason);
    }

    @Test
    void everyDomainWrittenOnEveryRelayIsAcceptedProgrammedAndReady() {
        Map<String, String> written = Map.of("one.example", HOP, "two.example", HOP);
        MailRouteStatus status =
                status(
                        List.of(resolution("one.example", "Resolved", 0)),
                        accepted(
                                RELAY_B,
                                written,
                                programmed("one.example"),
                                programmed("two.example")),
                        accepted(
                                RELAY_A,
                                written,
                                programmed("two.example"),
                                programmed("one.example")));

        assertThat(status.conditions)
                .extracting(Condition::getType)
                .containsExactly(
                        "Accepted", "Degraded", "Delivering", "Programmed", "Ready", "Resolved");
        assertCondition(status, "Delivering", "Unknown", "NoDeliveryReport");
        assertCondition(status, "Accepted", "True", "Accepted");
        assertThat(condition(status, "Accepted").getMessage())
                .isEqualTo("accepted by MailRelay mail/b, MailRelay mail/a");
        assertCondition(status, "Programmed", "True", "Programmed");
        assertThat(condition(status, "Programmed").getMessage())
                .isEqualTo("4 domain entries present in the relay configuration");
        assertCondition(status, "Resolved", "True", "Resolved");
        assertCondition(status, "Degraded", "False", "NotDegraded");
        assertCondition(status, "Ready", "True", "Ready");
        assertThat(status.domains)
                .as("sorted by domain, then relay")
                .extracting(
                        d -> d.domain, d -> d.relay, d -> d.state, d -> d.nextHop, d -> d.message)
                .containsExactly(
                        tuple("one.example", "mail/a", "Programmed", HOP, null),
                        tuple("one.example", "mail/b", "Programmed", HOP, null),
                        tuple("two.example", "mail/a", "Programmed", HOP, null),
                        tuple("two.example", "mail/b", "Programmed", HOP, null));
        assertThat(status.target).isEqualTo("hosts: mx.example.net:25");
        assertThat(status.observedGeneration).isZero();
    }

    @Test
    void aMissingRelayRefusesTheRouteAndTheFirstRefusalGivesTheReason() {
        MailRouteStatus status =
                status(
                        List.of(),
                        new RelayView(RELAY_A, null, null, null),
                        rejected(RELAY_B, "NotAllowedByRelay", "namespace team does not match"),
                        accepted(
                                new ResourceKey("mail", "c"),
                                Map.of("one.example", HOP),
                                programmed("one.example")));

        assertCondition(status, "Accepted", "False", "RelayNotFound");
        assertThat(condition(status, "Accepted").getMessage())
                .isEqualTo("MailRelay mail/a does not exist; namespace team does not match");
        assertCondition(status, "Programmed", "False", "NotAccepted");
        assertCondition(status, "Ready", "False", "RelayNotFound");
        assertThat(condition(status, "Ready").getMessage())
                .startsWith("Accepted: MailRelay mail/a does not exist");
        assertThat(status.domains)
                .as("the accepting relay's domains are still reported")
                .extracting(d -> d.relay)
                .containsExactly("mail/c");
    }

    @Test
    void aRelayThatHasNotPlannedTheRouteYetKeepsItPending() {
        RelayView notSeen =
                new RelayView(
                        RELAY_A,
                        new RelayPlan(RELAY_A, Optional.empty(), null, null, Map.of()),
                        Map.of(),
                        null);
        MailRouteStatus status = status(List.of(), notSeen);
        assertCondition(status, "Accepted", "False", "Pending");
        assertThat(condition(status, "Accepted").getMessage())
                .isEqualTo("MailRelay mail/a has not seen this route yet");
    }

    @Test
    void aRejectedRouteCarriesThePlannersReason() {
        MailRouteStatus status =
                status(
                        List.of(),
                        rejected(RELAY_A, "RouteTooLarge", "the route would add 70000 bytes"));
        assertCondition(status, "Accepted", "False", "RouteTooLarge");
        assertThat(condition(status, "Accepted").getMessage())
                .isEqualTo("the route would add 70000 bytes");
        assertCondition(status, "Ready", "False", "RouteTooLarge");
    }

    @Test
    void aPlannedDomainIsPendingUntilTheRelaysConfigMapHoldsItsNextHop() {
        MailRouteStatus status =
                status(
                        List.of(),
                        accepted(
                                RELAY_A,
                                Map.of(
                                        "one.example",
                                        HOP,
                                        "two.example",
                                        "smtp:[old.example.net]:25"),
                                programmed("one.example"),
                                programmed("two.example")));

        assertCondition(status, "Accepted", "True", "Accepted");
        assertCondition(status, "Programmed", "False", "Pending");
        assertThat(condition(status, "Programmed").getMessage())
                .isEqualTo("two.example on mail/a: not yet written");
        assertCondition(status, "Ready", "False", "Pending");
        assertThat(status.domains)
                .extracting(d -> d.domain, d -> d.state, d -> d.nextHop, d -> d.message)
                .containsExactly(
                        tuple("one.example", "Programmed", HOP, null),
                        tuple(
                                "two.example",
                                "Pending",
                                null,
                                "waiting for MailRelay mail/a to write its configuration"));
    }

    @Test
    void aDomainConflictOutweighsPendingAndWithheldDomainsWhateverTheOrder() {
        DomainOutcome conflict =
                new DomainOutcome(
                        "c.example",
                        "",
                        DomainOutcome.State.Conflict,
                        "domain c.example is already routed on MailRelay mail/b by the older MailRoute team/old");
        DomainOutcome withheld =
                new DomainOutcome("w.example", "", DomainOutcome.State.Withheld, "null MX");
        MailRouteStatus status =
                status(
                        List.of(),
                        accepted(RELAY_A, Map.of(), programmed("p.example"), withheld),
                        accepted(RELAY_B, Map.of(), conflict));

        assertCondition(status, "Programmed", "False", "DomainConflict");
        assertThat(condition(status, "Programmed").getMessage())
                .isEqualTo(
                        "p.example on mail/a: not yet written; "
                                + "w.example withheld: null MX; "
                                + conflict.message());
        assertThat(status.domains)
                .extracting(d -> d.domain, d -> d.state, d -> d.nextHop, d -> d.message)
                .containsExactly(
                        tuple("c.example", "Conflict", null, conflict.message()),
                        tuple(
                                "p.example",
                                "Pending",
                                null,
                                "waiting for MailRelay mail/a to write its configuration"),
                        tuple("w.example", "Withheld", null, "null MX"));
    }

    @Test
    void withoutAConflictTheFirstDomainThatIsNotProgrammedGivesTheReason() {
        DomainOutcome withheld =
                new DomainOutcome("a.example", "", DomainOutcome.State.Withheld, "NXDOMAIN");
        MailRouteStatus status =
                status(List.of(), accepted(RELAY_A, Map.of(), withheld, programmed("b.example")));
        assertCondition(status, "Programmed", "False", "WithheldByValidation");
        assertThat(condition(status, "Programmed").getMessage())
                .isEqualTo("a.example withheld: NXDOMAIN; b.example on mail/a: not yet written");
    }

    @Test
    void eachDomainStepMapsThePlannedStateAndTheWrittenLine() {
        DomainResult written =
                RouteStatusFactory.domainResult(
                        RELAY_A, programmed("x.example"), Map.of("x.example", HOP));
        assertThat(written.notProgrammed()).isNull();
        assertThat(written.status().state).isEqualTo("Programmed");
        assertThat(written.status().nextHop).isEqualTo(HOP);

        DomainResult withheld =
                RouteStatusFactory.domainResult(
                        RELAY_A,
                        new DomainOutcome(
                                "x.example", "", DomainOutcome.State.Withheld, "line1\nline2"),
                        Map.of());
        assertThat(withheld.notProgrammed().reason()).isEqualTo("WithheldByValidation");
        assertThat(withheld.status().message)
                .as("one line in the status")
                .isEqualTo("line1\\u000aline2");
    }

    @Test
    void resolvedTakesTheWorstDomainAndDegradedNamesTheTemporaryFailures() {
        Map<String, String> written = Map.of("one.example", HOP, "two.example", HOP);
        RelayView relay =
                accepted(RELAY_A, written, programmed("one.example"), programmed("two.example"));

        MailRouteStatus tempFail =
                status(
                        List.of(
                                resolution("one.example", "Resolved", 0),
                                resolution("two.example", "MxLookupTempFail", 2)),
                        relay);
        assertCondition(tempFail, "Resolved", "Unknown", "MxLookupTempFail");
        assertThat(condition(tempFail, "Resolved").getMessage())
                .isEqualTo("two.example: MxLookupTempFail message");
        assertCondition(tempFail, "Degraded", "True", "MxLookupTempFail");
        assertThat(condition(tempFail, "Degraded").getMessage())
                .isEqualTo(
                        "two.example: MxLookupTempFail message (last known good next hops stay rendered)");
        assertCondition(tempFail, "Ready", "True", "Ready");

        MailRouteStatus failed =
                status(
                        List.of(
                                resolution("one.example", "NxDomain", 0),
                                resolution("two.example", "NullMx", 0)),
                        relay);
        assertCondition(failed, "Resolved", "False", "NxDomain");
        assertThat(condition(failed, "Resolved").getMessage())
                .isEqualTo("one.example: NxDomain message; two.example: NullMx message");
        assertCondition(failed, "Degraded", "False", "NotDegraded");
        assertCondition(failed, "Ready", "False", "NxDomain");
        assertThat(condition(failed, "Ready").getMessage()).startsWith("Resolved: ");

        MailRouteStatus unchecked = status(List.of(), relay);
        assertCondition(unchecked, "Resolved", "Unknown", "NotChecked");
        assertCondition(unchecked, "Degraded", "False", "NotDegraded");
    }

    @Test
    void sameInputsAgainGiveAnEqualStatusWithTheOldTransitionTimes() {
        RelayView relay = accepted(RELAY_A, Map.of("one.example", HOP), programmed("one.example"));
        MailRouteStatus first = status(List.of(), relay);
        route.setStatus(first);
        MailRouteStatus again = RouteStatusFactory.status(route, List.of(relay), List.of(), T2);
        assertThat(again).isEqualTo(first);

        MailRouteStatus changed =
                RouteStatusFactory.status(
                        route, List.of(new RelayView(RELAY_A, null, null, null)), List.of(), T2);
        assertThat(condition(changed, "Accepted").getLastTransitionTime())
                .isEqualTo("2026-01-01T11:00:00Z");
        assertThat(condition(changed, "Resolved").getLastTransitionTime())
                .isEqualTo("2026-01-01T10:00:00Z");
    }

    @Test
    void anErrorKeepsTheLastReportAndMakesReadyFalse() {
        RelayView relay = accepted(RELAY_A, Map.of("one.example", HOP), programmed("one.example"));
        route.setStatus(status(List.of(resolution("one.example", "Resolved", 0)), relay));
        MailRouteStatus error =
                RouteStatusFactory.error(route, new IllegalStateException("boom"), T2);
        assertCondition(error, "Ready", "False", "ReconcileError");
        assertThat(condition(error, "Ready").getMessage()).isEqualTo("boom");
        assertThat(error.domains).isEqualTo(route.getStatus().domains);
        assertThat(error.resolutions).isEqualTo(route.getStatus().resolutions);
        assertThat(error.target).isEqualTo(route.getStatus().target);
    }

    @Test
    void targetSummaryShowsTheDefaultPorts() {
        RouteTarget hosts = new RouteTarget();
        NextHopHost noPort = new NextHopHost("a.example.net", 25, false);
        noPort.port = null;
        hosts.hosts = List.of(noPort, new NextHopHost("b.example.net", 2525, false));
        assertThat(RouteStatusFactory.targetSummary(hosts))
                .isEqualTo("hosts: a.example.net:25, b.example.net:2525");
        RouteTarget relay = new RouteTarget();
        relay.relay = new SmarthostTarget();
        relay.relay.host = "smtp.example.net";
        relay.relay.port = null;
        assertThat(RouteStatusFactory.targetSummary(relay))
                .isEqualTo("relay: smtp.example.net:587");
        RouteTarget mx = new RouteTarget();
        mx.mx = new io.mailroute.api.v1alpha1.MxTarget();
        assertThat(RouteStatusFactory.targetSummary(mx)).isEqualTo("mx");
        assertThat(RouteStatusFactory.targetSummary(new RouteTarget())).isEqualTo("invalid");
    }

    @Test
    void domainStatusKeepsEmptyNextHopAndMessageOut() {
        DomainStatus d = new DomainStatus("x.example", "mail/a", "", "Pending", "");
        assertThat(d.nextHop).isNull();
        assertThat(d.message).isNull();
    }

    @Test
    void aRouteAwaitsAWriteOnlyForAProgrammedLineNotYetWritten() {
        DomainOutcome withheld =
                new DomainOutcome(
                        "two.example", HOP, DomainOutcome.State.Withheld, "no MX host resolves");
        assertThat(awaits(accepted(RELAY_A, Map.of()))).as("no domain planned").isFalse();
        assertThat(awaits(accepted(RELAY_A, Map.of(), programmed("one.example")))).isTrue();
        assertThat(
                        awaits(
                                accepted(
                                        RELAY_A,
                                        Map.of("one.example", "smtp:[old.example.net]:25"),
                                        programmed("one.example"))))
                .as("the written line is an older next hop")
                .isTrue();
        assertThat(
                        awaits(
                                accepted(
                                        RELAY_A,
                                        Map.of("one.example", HOP),
                                        programmed("one.example"),
                                        withheld)))
                .as("written, and the withheld domain gets no line")
                .isFalse();
        assertThat(awaits(rejected(RELAY_A, "NotAllowedByRelay", "refused"))).isFalse();
        assertThat(awaits(new RelayView(RELAY_A, null, Map.of(), null)))
                .as("the relay does not exist")
                .isFalse();
    }

    private boolean awaits(RelayView view) {
        return RouteStatusFactory.awaitsWrite(routeKey, view);
    }

    @Test
    void aReCheckThatOnlyMovedItsTimesIsWrittenAtMostOncePerRefreshInterval() {
        Instant now = Instant.parse("2026-11-30T07:00:00Z");
        DomainResolution recorded = resolution("one.example", "Resolved", 0);
        recorded.checkedAt = "2026-11-30T06:55:00Z";
        recorded.nextCheckAt = "2026-11-30T07:00:00Z";
        MailRouteStatus current = status(List.of(recorded), accepted(RELAY_A, Map.of()));
        DomainResolution again = resolution("one.example", "Resolved", 0);
        again.checkedAt = "2026-11-30T07:00:00Z";
        again.nextCheckAt = "2026-11-30T07:05:00Z";
        MailRouteStatus next = status(List.of(again), accepted(RELAY_A, Map.of()));
        Duration hour = Duration.ofHours(1);

        assertThat(RouteStatusFactory.onlyCheckTimesMoved(current, next, hour, now)).isTrue();
        assertThat(
                        RouteStatusFactory.onlyCheckTimesMoved(
                                current, next, hour, now.plus(Duration.ofMinutes(56))))
                .as("the recorded check is over an hour old: the status is refreshed")
                .isFalse();
        DomainResolution failed = resolution("one.example", "MxLookupTempFail", 1);
        failed.checkedAt = again.checkedAt;
        failed.nextCheckAt = again.nextCheckAt;
        assertThat(
                        RouteStatusFactory.onlyCheckTimesMoved(
                                current,
                                status(List.of(failed), accepted(RELAY_A, Map.of())),
                                hour,
                                now))
                .as("a re-check with a new result")
                .isFalse();
        assertThat(RouteStatusFactory.onlyCheckTimesMoved(null, next, hour, now))
                .as("the first status")
                .isFalse();
    }
}
