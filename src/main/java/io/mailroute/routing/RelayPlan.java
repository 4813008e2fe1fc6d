package io.mailroute.routing;

import io.mailroute.postfix.PostfixConfig;
import java.util.Map;
import java.util.Optional;

/**
 * The result of planning one relay: its rendered Postfix configuration (absent when the relay's own
 * spec is invalid) and an outcome for every route that references it.
 */
public record RelayPlan(
        ResourceKey relay,
        Optional<PostfixConfig> config,
        String errorReason,
        String errorMessage,
        Map<ResourceKey, RouteOutcome> routes) {

    /** Number of routes accepted and rendered (at least partially) into the configuration. */
    public int attachedRoutes() {
        return (int) routes.values().stream().filter(RouteOutcome::accepted).count();
    }

    public Optional<RouteOutcome> outcome(ResourceKey route) {
        return Optional.ofNullable(routes.get(route));
    }
}
