package io.mailroute.testing;

import io.mailroute.reconciler.OperatorConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Operator settings for tests and benchmarks that run the operator's classes without Quarkus. */
public final class OperatorConfigs {
    private OperatorConfigs() {}

    /**
     * DNS checks against {@code server} with {@code concurrent} checks in flight: 2 s per query, 10
     * s per check, re-checks between 60 s and 1 h, 30 s back-off after a temporary failure, 3 hard
     * failures. Relay and delivery settings are not available.
     */
    public static OperatorConfig dnsChecks(String server, int concurrent) {
        OperatorConfig.Dns dns =
                new OperatorConfig.Dns() {
                    @Override
                    public Optional<List<String>> servers() {
                        return Optional.of(List.of(server));
                    }

                    @Override
                    public Duration queryTimeout() {
                        return Duration.ofSeconds(2);
                    }

                    @Override
                    public Duration deadline() {
                        return Duration.ofSeconds(10);
                    }

                    @Override
                    public int concurrentChecks() {
                        return concurrent;
                    }
                };
        OperatorConfig.Validation validation =
                new OperatorConfig.Validation() {
                    @Override
                    public Duration minRecheck() {
                        return Duration.ofSeconds(60);
                    }

                    @Override
                    public Duration maxRecheck() {
                        return Duration.ofHours(1);
                    }

                    @Override
                    public Duration tempFailBackoff() {
                        return Duration.ofSeconds(30);
                    }

                    @Override
                    public int hardFailureThreshold() {
                        return 3;
                    }
                };
        return new OperatorConfig() {
            @Override
            public Relay relay() {
                throw new UnsupportedOperationException();
            }

            @Override
            public Dns dns() {
                return dns;
            }

            @Override
            public Validation validation() {
                return validation;
            }

            @Override
            public Delivery delivery() {
                throw new UnsupportedOperationException();
            }
        };
    }
}
