package io.mailroute.validation;

import java.util.List;

/** How validation lets one domain of a route be rendered. */
public sealed interface RenderDecision {
    /** Render the route's target as written (hosts, relay). */
    record AsSpecified() implements RenderDecision {}

    /** Render these MX hosts, in order, as bracketed next hops ({@code mx} targets). */
    record PinnedMx(List<String> hosts) implements RenderDecision {}

    /** Render an empty next hop: Postfix looks up the recipient domain's MX itself. */
    record RecipientMx() implements RenderDecision {}

    /** Do not render the domain. */
    record Withheld(String reason, String message) implements RenderDecision {}
}
