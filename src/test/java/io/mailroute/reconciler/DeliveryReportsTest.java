package io.mailroute.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.api.v1alpha1.DomainDelivery;
import io.mailroute.routing.DomainOutcome;
import io.mailroute.routing.RelayPlan;
import io.mailroute.routing.ResourceKey;
import io.mailroute.routing.RouteOutcome;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What routes see of a relay's delivery: counts at most every publish interval (no status patch per
 * message), a change of health or of the last result at once; only the plan's routed domains (and
 * the default bucket) in status and metrics, whatever a pod reports.
 */
class DeliveryReportsTest {
    private static final ResourceKey RELAY = new ResourceKey("mail", "relay");
    private static final ResourceKey ROUTE = new ResourceKey("mail", "route");
    private static final Instant T0 = Instant.parse("2026-11-29T20:00:00Z");
    private static final RelayPlan PLAN =
            new RelayPlan(
                    RELAY,
                    Optional.empty(),
                    null,
                    null,
                    Map.of(
                            ROUTE,
                            new RouteOutcome(
                                    ROUTE,
                                    true,
                                    "Accepted",
                                    "",
                                    List.of(
                                            new DomainOutcome(
                                                    "a.test",
                                                    "smtp:[h]:25",
                                                    DomainOutcome.State.Programmed,
                                                    "")))));

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final DeliveryReports reports = new DeliveryReports(Duration.ofSeconds(60), registry);

    private static DeliveryReport pod(int sent, int deferred, int bounced, String last) {
        return DeliveryReport.parse(
                "window=600\ndomain=a.test sent="
                        + sent
                        + " deferred="
                        + deferred
                        + " bounced="
                        + bounced
                        + " queued=0"
                        + (last == null
                                ? ""
                                : " last="
                                        + last
                                        + " last_at=2026-11-29T19:59:00Z"
                                        + " dsn=2.0.0 via=h reply=ok")
                        + "\ndomain=secret.example sent=5\n");
    }

    private DomainDelivery published() {
        Map<String, DomainDelivery> domains = reports.of(RELAY, "uid");
        return domains == null ? null : domains.get("a.test");
    }

    @Test
    void countsArePublishedAtMostEveryIntervalButHealthChangesAtOnce() {
        reports.publish("uid", PLAN, List.of(pod(1, 0, 0, "sent")), T0);
        assertThat(published().sent).isEqualTo(1);

        reports.publish("uid", PLAN, List.of(pod(5, 1, 0, "sent")), T0.plusSeconds(10));
        assertThat(published().sent).as("same health, within the interval: unchanged").isEqualTo(1);
        assertThat(
                        registry.get("mailroute.delivery.recent")
                                .tags("relay", "mail/relay", "domain", "a.test", "result", "sent")
                                .gauge()
                                .value())
                .as("metrics follow every probe")
                .isEqualTo(5);

        reports.publish("uid", PLAN, List.of(pod(6, 1, 0, "sent")), T0.plusSeconds(61));
        assertThat(published().sent).as("interval passed").isEqualTo(6);

        reports.publish("uid", PLAN, List.of(pod(6, 1, 0, "deferred")), T0.plusSeconds(62));
        assertThat(published().lastResult).as("last result changed: at once").isEqualTo("deferred");

        reports.publish("uid", PLAN, List.of(pod(6, 4, 3, "bounced")), T0.plusSeconds(63));
        assertThat(DeliveryHealth.failing(published())).as("health changed: at once").isTrue();
    }

    @Test
    void onlyRoutedDomainsAndTheDefaultBucketAreKeptAndPodsAddUp() {
        reports.publish("uid", PLAN, List.of(pod(1, 0, 0, "sent"), pod(2, 0, 0, null)), T0);

        assertThat(reports.of(RELAY, "uid")).containsOnlyKeys("a.test", "*");
        assertThat(published().sent).isEqualTo(3);
        assertThat(published().pods).isEqualTo(2);
        assertThat(
                        registry.find("mailroute.delivery.recent")
                                .tag("domain", "secret.example")
                                .gauges())
                .isEmpty();
        assertThat(reports.of(RELAY, "another-uid")).as("a new relay of the same name").isNull();

        reports.publish("uid", PLAN, List.of(), T0.plusSeconds(1));
        assertThat(reports.of(RELAY, "uid")).as("no pod reports any more").isNull();
    }
}
