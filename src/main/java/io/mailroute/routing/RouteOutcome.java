package io.mailroute.routing;

import java.util.List;

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

    /** True when every domain of the route is rendered into the relay's configuration. */
    public boolean fullyRendered() {
        return accepted
                && domains.stream().allMatch(d -> d.state() == DomainOutcome.State.Programmed);
    }
}
