package io.mailroute.reconciler;

import io.mailroute.api.v1alpha1.DomainDelivery;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.routing.DomainOutcome;
import io.mailroute.routing.RelayPlan;
import io.mailroute.routing.ResourceKey;
import io.mailroute.routing.RouteOutcome;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The delivery each relay's pods report per routed domain, summed over the pods, as the MailRelay
 * controller last probed it; read by route reconciles ({@link #of}), which it wakes when their
 * domains' delivery changed.
 *
 * <p>Status churn: window counts change with every message, and every change would be a status
 * patch of every route of the relay. So what routes see is republished at most every {@code
 * mailroute.delivery.publish-interval} (60 s), except when a domain's health ({@link
 * DeliveryHealth#failing}) or the result of its last attempt changes: those are published at once.
 * Metrics ({@code mailroute_delivery_recent}, {@code mailroute_delivery_queued}) follow every
 * probe. Labels are the relay and a routed domain of the relay's plan (or {@code *}, the default
 * route): the label set is bounded by the routes, never by recipients.
 */
@ApplicationScoped
public class DeliveryReports {
    private final Wakeups<MailRoute> events = new Wakeups<>("delivery");
    private final Map<ResourceKey, Published> published = new ConcurrentHashMap<>();
    private final Map<ResourceKey, Map<String, DomainDelivery>> latest = new ConcurrentHashMap<>();
    private final Duration publishInterval;
    private final MultiGauge recent;
    private final MultiGauge queued;

    private record Published(String relayUid, Instant at, Map<String, DomainDelivery> domains) {}

    @Inject
    public DeliveryReports(OperatorConfig config, MeterRegistry registry) {
        this(config.delivery().publishInterval(), registry);
    }

    DeliveryReports(Duration publishInterval, MeterRegistry registry) {
        this.publishInterval = publishInterval;
        this.recent =
                MultiGauge.builder("mailroute.delivery.recent")
                        .description(
                                "Delivery attempts in the relay's recent window, per relay, routed domain and result")
                        .register(registry);
        this.queued =
                MultiGauge.builder("mailroute.delivery.queued")
                        .description(
                                "Recipients waiting in the relay's queue, per relay and routed domain")
                        .register(registry);
    }

    /**
     * Records what the pods of {@code relay} reported (one entry per pod that answered; empty when
     * none did) for the domains of {@code plan}, and wakes the routes whose domains' published
     * delivery changed.
     */
    void publish(String relayUid, RelayPlan plan, List<DeliveryReport> reports, Instant now) {
        ResourceKey relay = plan.relay();
        List<DeliveryReport> available = DeliveryReport.available(reports);
        Map<String, DomainDelivery> domains =
                available.isEmpty() ? null : toStatus(plan, available);
        if (domains == null) {
            latest.remove(relay);
        } else {
            latest.put(relay, domains);
        }
        updateMetrics();
        Published before = published.get(relay);
        if (before != null && !Objects.equals(before.relayUid(), relayUid)) {
            before = null;
        }
        Map<String, DomainDelivery> old = before == null ? null : before.domains();
        if (Objects.equals(old, domains)) {
            return;
        }
        boolean due =
                before == null
                        || domains == null
                        || old == null
                        || !Duration.between(before.at(), now).minus(publishInterval).isNegative()
                        || healthChanged(old, domains);
        if (!due) {
            return;
        }
        if (domains == null) {
            published.remove(relay);
        } else {
            published.put(relay, new Published(relayUid, now, domains));
        }
        Set<String> changed = new HashSet<>();
        Set<String> names = new HashSet<>(old == null ? Set.of() : old.keySet());
        names.addAll(domains == null ? Set.of() : domains.keySet());
        for (String name : names) {
            if (!Objects.equals(
                    old == null ? null : old.get(name),
                    domains == null ? null : domains.get(name))) {
                changed.add(name);
            }
        }
        List<ResourceKey> wake = new ArrayList<>();
        plan.routes()
                .forEach(
                        (route, outcome) -> {
                            if (touches(outcome, changed)) {
                                wake.add(route);
                            }
                        });
        events.wake(wake);
    }

    /**
     * The published delivery of {@code relay} per routed domain, or null when no pod of it reports
     * delivery.
     */
    Map<String, DomainDelivery> of(ResourceKey relay, String relayUid) {
        Published entry = published.get(relay);
        return entry == null || !Objects.equals(entry.relayUid(), relayUid)
                ? null
                : entry.domains();
    }

    Wakeups<MailRoute> events() {
        return events;
    }

    private static boolean touches(RouteOutcome outcome, Set<String> domains) {
        return outcome.domains().stream().map(DomainOutcome::domain).anyMatch(domains::contains);
    }

    private static boolean healthChanged(
            Map<String, DomainDelivery> old, Map<String, DomainDelivery> now) {
        if (!old.keySet().equals(now.keySet())) {
            return true;
        }
        for (Map.Entry<String, DomainDelivery> entry : now.entrySet()) {
            DomainDelivery before = old.get(entry.getKey());
            if (DeliveryHealth.failing(before) != DeliveryHealth.failing(entry.getValue())
                    || !Objects.equals(before.lastResult, entry.getValue().lastResult)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The routed domains of {@code plan} (and the default bucket) with what the pods reported; a
     * routed domain no pod mentions gets zero counts (the relay reports, nothing happened).
     * Anything else a pod reports is dropped.
     */
    static Map<String, DomainDelivery> toStatus(RelayPlan plan, List<DeliveryReport> reports) {
        Map<String, DeliveryReport.Domain> sum = DeliveryReport.sum(reports);
        int window = DeliveryReport.window(reports);
        Set<String> routed = new HashSet<>();
        plan.routes()
                .values()
                .forEach(outcome -> outcome.domains().forEach(d -> routed.add(d.domain())));
        routed.add(DeliveryReport.DEFAULT_BUCKET);
        Map<String, DomainDelivery> domains = new TreeMap<>();
        for (String name : routed) {
            DeliveryReport.Domain d = sum.get(name);
            DomainDelivery delivery = new DomainDelivery();
            delivery.windowSeconds = window;
            delivery.pods = reports.size();
            delivery.sent = d == null ? 0 : d.sent();
            delivery.deferred = d == null ? 0 : d.deferred();
            delivery.bounced = d == null ? 0 : d.bounced();
            delivery.queued = d == null ? 0 : d.queued();
            if (d != null && d.lastResult() != null) {
                delivery.lastResult = d.lastResult();
                delivery.lastTime = d.lastTime() == null ? null : d.lastTime().toString();
                delivery.lastDsn = d.lastDsn();
                delivery.lastReply = d.lastReply();
            }
            domains.put(name, delivery);
        }
        return domains;
    }

    private synchronized void updateMetrics() {
        List<MultiGauge.Row<?>> recentRows = new ArrayList<>();
        List<MultiGauge.Row<?>> queuedRows = new ArrayList<>();
        new TreeMap<>(latest)
                .forEach(
                        (relay, domains) ->
                                domains.forEach(
                                        (domain, d) -> {
                                            Tags tags =
                                                    Tags.of(
                                                            "relay",
                                                            relay.toString(),
                                                            "domain",
                                                            domain);
                                            recentRows.add(
                                                    MultiGauge.Row.of(
                                                            tags.and("result", "sent"), d.sent));
                                            recentRows.add(
                                                    MultiGauge.Row.of(
                                                            tags.and("result", "deferred"),
                                                            d.deferred));
                                            recentRows.add(
                                                    MultiGauge.Row.of(
                                                            tags.and("result", "bounced"),
                                                            d.bounced));
                                            queuedRows.add(MultiGauge.Row.of(tags, d.queued));
                                        }));
        recent.register(recentRows, true);
        queued.register(queuedRows, true);
    }
}
