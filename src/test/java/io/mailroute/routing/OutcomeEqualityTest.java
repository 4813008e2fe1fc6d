package io.mailroute.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link RouteOutcome} and {@link DomainOutcome} write out equals and hashCode (C1 does not inline
 * a record's); they must stay those of records with the same components, hash included.
 */
class OutcomeEqualityTest {
    record SameDomain(String domain, String nextHop, DomainOutcome.State state, String message) {}

    record SameRoute(
            ResourceKey route,
            boolean accepted,
            String reason,
            String message,
            List<SameDomain> domains) {}

    @Test
    void equalsAndHashAsTheRecordsOwn() {
        Random random = new Random(11);
        List<RouteOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            outcomes.add(randomOutcome(random));
        }
        for (RouteOutcome a : outcomes) {
            assertThat(a.hashCode()).isEqualTo(shadow(a).hashCode());
            assertThat(a.equals(null)).isFalse();
            assertThat(a.equals(shadow(a))).isFalse();
            for (RouteOutcome b : outcomes) {
                assertThat(a.equals(b)).as("%s vs %s", a, b).isEqualTo(shadow(a).equals(shadow(b)));
            }
            for (DomainOutcome d : domainsOf(a)) {
                assertThat(d.hashCode()).isEqualTo(shadow(d).hashCode());
                for (DomainOutcome e : domainsOf(outcomes.get(random.nextInt(outcomes.size())))) {
                    assertThat(d.equals(e)).isEqualTo(shadow(d).equals(shadow(e)));
                }
            }
        }
        // equal but distinct objects, component by component
        RouteOutcome one = randomOutcome(new Random(5));
        RouteOutcome two = randomOutcome(new Random(5));
        assertThat(one).isNotSameAs(two).isEqualTo(two).hasSameHashCodeAs(two);
    }

    private static RouteOutcome randomOutcome(Random random) {
        List<DomainOutcome> domains = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            domains.add(
                    new DomainOutcome(
                            pick(random, "a.example", "b.example", null),
                            pick(random, "smtp:[mx.a.example]:25", "", null),
                            random.nextBoolean()
                                    ? DomainOutcome.State.Programmed
                                    : random.nextBoolean() ? DomainOutcome.State.Conflict : null,
                            pick(random, "", "withheld", null)));
        }
        return new RouteOutcome(
                random.nextBoolean() ? new ResourceKey("ns", pick(random, "r1", "r2")) : null,
                random.nextBoolean(),
                pick(random, "Accepted", "RouteTooLarge", null),
                pick(random, "", "too large", null),
                random.nextInt(8) == 0 ? null : domains);
    }

    private static List<DomainOutcome> domainsOf(RouteOutcome outcome) {
        return outcome.domains() == null ? List.of() : outcome.domains();
    }

    private static String pick(Random random, String... choices) {
        return choices[random.nextInt(choices.length)];
    }

    private static SameDomain shadow(DomainOutcome d) {
        return new SameDomain(d.domain(), d.nextHop(), d.state(), d.message());
    }

    private static SameRoute shadow(RouteOutcome o) {
        return new SameRoute(
                o.route(),
                o.accepted(),
                o.reason(),
                o.message(),
                o.domains() == null
                        ? null
                        : o.domains().stream().map(OutcomeEqualityTest::shadow).toList());
    }
}
