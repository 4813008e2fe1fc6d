package io.mailroute.routing;

import java.util.List;
import java.util.Objects;

/**
 * What planning decided for one route on one relay: accepted or not (with a CamelCase reason), and
 * per domain.
 */
public record RouteOutcome(
        ResourceKey route,
        boolean accepted,
        String reason,
        String message,
        List<DomainOutcome> domains) {

    static RouteOutcome rejected(ResourceKey route, String reason, String message) {
        return new RouteOutcome(route, false, reason, message, List.of());
    }

    /**
     * As the record's own equals, written out: a record's equals and hashCode go through method
     * handles, which the operator image's C1-only JIT (-XX:TieredStopAtLevel=1) does not inline,
     * and every plan of a relay compares the outcome of each of its routes with the last one
     * ({@code Planning.publish}).
     */
    @Override
    public boolean equals(Object o) {
        return o == this
                || (o instanceof RouteOutcome other
                        && accepted == other.accepted
                        && Objects.equals(route, other.route)
                        && Objects.equals(reason, other.reason)
                        && Objects.equals(message, other.message)
                        && Objects.equals(domains, other.domains));
    }

    /** The record's own hash, written out. */
    @Override
    public int hashCode() {
        int h = Objects.hashCode(route);
        h = 31 * h + Boolean.hashCode(accepted);
        h = 31 * h + Objects.hashCode(reason);
        h = 31 * h + Objects.hashCode(message);
        return 31 * h + Objects.hashCode(domains);
    }

    /** True when every domain of the route is rendered into the relay's configuration. */
    public boolean fullyRendered() {
        return accepted
                && domains.stream().allMatch(d -> d.state() == DomainOutcome.State.Programmed);
    }
}
