package io.mailroute.routing;

import io.mailroute.postfix.TransportRule;
import io.mailroute.validation.RenderDecision;
import java.util.List;
import java.util.Map;

/**
 * A route's transport rules, and the domains validation withholds from rendering (domain -> why).
 */
public record TranslatedRoute(
        List<TransportRule> rules, Map<String, RenderDecision.Withheld> withheld) {}
