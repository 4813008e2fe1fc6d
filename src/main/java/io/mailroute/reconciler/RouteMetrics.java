package io.mailroute.reconciler;

import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.status.StatusNames.ConditionType;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;

/**
 * Gauges {@code mailroute_routes{condition,status}}: how many routes have each condition in each
 * status.
 */
final class RouteMetrics {
    static final List<String> CONDITIONS = ConditionType.ROUTE;
    static final List<String> STATUSES = List.of("True", "False", "Unknown");

    private RouteMetrics() {}

    static void register(MeterRegistry registry, IndexerResourceCache<MailRoute> routes) {
        for (String condition : CONDITIONS) {
            for (String status : STATUSES) {
                Gauge.builder("mailroute.routes", routes, cache -> count(cache, condition, status))
                        .description("MailRoutes by condition status")
                        .tags("condition", condition, "status", status)
                        .register(registry);
            }
        }
    }

    private static double count(
            IndexerResourceCache<MailRoute> routes, String condition, String status) {
        return routes.list(
                        route ->
                                route.getStatus() != null
                                        && route.getStatus().conditions != null
                                        && route.getStatus().conditions.stream()
                                                .anyMatch(
                                                        c ->
                                                                condition.equals(c.getType())
                                                                        && status.equals(
                                                                                c.getStatus())))
                .count();
    }
}
