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
    /** Routes with at most this many rules are checked for a domain listed twice pairwise. */
    private static final int SMALL = 8;

    private final RelaySettings relay;
    private final DestinationPolicies policies;

    /** domain -> the source of the rule that routes it. */
    private final Map<String, String> sources = new HashMap<>();

    private final List<TransportRule> rules = new ArrayList<>();

    public RuleSet(RelaySettings relay) {
        if (relay == null) {
            throw new PostfixInputException("relay", "must be set");
        }
        this.relay = relay;
        this.policies = PostfixRenderer.policiesOf(relay);
    }

    /**
     * Admits all of {@code more} or, when any of them conflicts with the rules admitted so far or
     * with each other, none of them.
     *
     * @throws PostfixInputException the conflict, worded as {@link PostfixRenderer#render} words it
     */
    public void addAll(List<TransportRule> more) {
        // checked against each other without a map for the usual route of a few domains (this
        // runs for every route of every plan)
        Map<String, String> added = more.size() > SMALL ? new HashMap<>() : null;
        policies.begin();
        try {
            for (int i = 0; i < more.size(); i++) {
                TransportRule rule = more.get(i);
                if (rule == null) {
                    throw new PostfixInputException("rules[" + i + "]", "must not be empty");
                }
                String earlier = sources.get(rule.domain());
                if (earlier == null) {
                    earlier = added != null ? added.get(rule.domain()) : earlierSource(more, i);
                }
                if (earlier != null) {
                    throw PostfixRenderer.duplicate(rule.domain(), List.of(earlier, rule.source()));
                }
                if (added != null) {
                    added.put(rule.domain(), rule.source());
                }
                PostfixRenderer.addPolicies(policies, rule);
            }
        } catch (PostfixInputException e) {
            policies.rollback();
            throw e;
        }
        policies.commit();
        for (TransportRule rule : more) {
            sources.put(rule.domain(), rule.source());
        }
        rules.addAll(more);
    }

    /** The source of the first of {@code more}'s rules before index {@code i} with its domain. */
    private static String earlierSource(List<TransportRule> more, int i) {
        String domain = more.get(i).domain();
        for (int j = 0; j < i; j++) {
            if (more.get(j).domain().equals(domain)) {
                return more.get(j).source();
            }
        }
        return null;
    }

    /**
     * Renders the admitted rules for the relay: the same files as {@link PostfixRenderer#render} of
     * {@link #rules()}, without claiming every rule's TLS policy and credentials a second time (the
     * policies admitted are those of exactly these rules, and do not depend on the order the rules
     * claimed them in, as claims that disagree are refused).
     */
    public PostfixConfig render(PostfixRenderer renderer) {
        return renderer.render(relay, rules, policies);
    }

    /** Every admitted rule, in the order admitted. */
    public List<TransportRule> rules() {
        return List.copyOf(rules);
    }
}
