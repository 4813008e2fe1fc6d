package io.mailroute.postfix;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules of one relay, admitted one route at a time, each route whole or not at all: a route
 * whose rules would make {@link PostfixRenderer#render} fail (a domain routed twice, a next hop
 * that would need two TLS policies or two sets of credentials) is refused with the same message,
 * and leaves no trace for the routes after it.
 *
 * <p>Admitting a route costs time in proportion to its own rules, so planning a relay of N routes
 * stays O(N log N); checking each route by rendering everything admitted so far made it O(N²).
 */
public final class RuleSet {
    private final DestinationPolicies policies;

    /** domain -> the source of the rule that routes it. */
    private final Map<String, String> sources = new HashMap<>();

    private final List<TransportRule> rules = new ArrayList<>();

    public RuleSet(RelaySettings relay) {
        if (relay == null) {
            throw new PostfixInputException("relay", "must be set");
        }
        this.policies = PostfixRenderer.policiesOf(relay);
    }

    /**
     * Admits all of {@code more} or, when any of them conflicts with the rules admitted so far or
     * with each other, none of them.
     *
     * @throws PostfixInputException the conflict, worded as {@link PostfixRenderer#render} words it
     */
    public void addAll(List<TransportRule> more) {
        Map<String, String> added = new HashMap<>();
        policies.begin();
        try {
            for (int i = 0; i < more.size(); i++) {
                TransportRule rule = more.get(i);
                if (rule == null) {
                    throw new PostfixInputException("rules[" + i + "]", "must not be empty");
                }
                if (sources.containsKey(rule.domain()) || added.containsKey(rule.domain())) {
                    String earlier =
                            sources.containsKey(rule.domain())
                                    ? sources.get(rule.domain())
                                    : added.get(rule.domain());
                    throw PostfixRenderer.duplicate(rule.domain(), List.of(earlier, rule.source()));
                }
                added.put(rule.domain(), rule.source());
                PostfixRenderer.addPolicies(policies, rule);
            }
        } catch (PostfixInputException e) {
            policies.rollback();
            throw e;
        }
        policies.commit();
        sources.putAll(added);
        rules.addAll(more);
    }

    /** Every admitted rule, in the order admitted. */
    public List<TransportRule> rules() {
        return List.copyOf(rules);
    }
}
