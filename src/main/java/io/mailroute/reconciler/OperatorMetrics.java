package io.mailroute.reconciler;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The SDK's reconcile and event metrics per controller, not per resource. The Quarkus extension's
 * default collects them per resource: a timer with its histogram and several counters for every
 * MailRoute, tagged with its name. At 10,000 routes that was about 800,000 time series in {@code
 * /q/metrics} and most of the operator's heap ({@code bench/scale.sh} ran out of memory in the
 * chart's 512Mi); a per-route view belongs in the route's status, which has it.
 */
public class OperatorMetrics {

    @Produces
    @Singleton
    Metrics perController(MeterRegistry registry) {
        return MicrometerMetrics.withoutPerResourceMetrics(registry);
    }
}
