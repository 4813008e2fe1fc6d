package io.mailroute.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.SecretKeys;
import io.mailroute.api.v1alpha1.SmarthostTarget;
import io.mailroute.testing.Resources;
import io.mailroute.validation.RenderPolicy;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TranslationsTest {
    private final AtomicLong clock = new AtomicLong();
    private final Translations translations =
            new Translations(new RouteTranslator(new RenderPolicy(3)), clock::get);

    @Test
    void theSameRouteObjectIsTranslatedOnceAndAChangedOneAgain() throws Exception {
        MailRoute route = Resources.pinnedRoute("mail", "a", "relay", "mx.a.example", "a.example");
        ResourceKey key = ResourceKey.of(route);
        TranslatedRoute first = translations.translate(key, route, RelayPlannerTest.NO_INPUTS);
        assertThat(translations.translate(key, route, RelayPlannerTest.NO_INPUTS)).isSameAs(first);
        assertThat(first.rules())
                .singleElement()
                .satisfies(r -> assertThat(r.domain()).isEqualTo("a.example"));

        // the cache replaces the object when the route changes
        MailRoute changed =
                Resources.pinnedRoute("mail", "a", "relay", "mx.b.example", "a.example");
        TranslatedRoute second = translations.translate(key, changed, RelayPlannerTest.NO_INPUTS);
        assertThat(second).isNotSameAs(first);
        assertThat(second.rules().get(0).nextHops().get(0).host()).isEqualTo("mx.b.example");
        assertThat(second.rules()).isUnmodifiable();
    }

    @Test
    void aRouteThatReadsASecretIsTranslatedEveryTime() throws Exception {
        MailRoute route = Resources.pinnedRoute("mail", "s", "relay", "unused", "s.example");
        route.getSpec().target.hosts = null;
        route.getSpec().target.relay = new SmarthostTarget("smtp.example.net", 587);
        route.getSpec().target.relay.authSecretRef = new SecretKeys("auth");
        ResourceKey key = ResourceKey.of(route);
        // the Secret's content may change while the route does not: never from the cache
        assertThatThrownBy(() -> translations.translate(key, route, RelayPlannerTest.NO_INPUTS))
                .isInstanceOf(RouteRejectedException.class);
        assertThat(translations.size()).isZero();
    }

    @Test
    void aRejectionIsKeptAsWellAndIdleRoutesAreDropped() throws Exception {
        MailRoute bad =
                Resources.pinnedRoute("mail", "bad", "relay", "mx.example", "-bad-.example");
        ResourceKey key = ResourceKey.of(bad);
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> translations.translate(key, bad, RelayPlannerTest.NO_INPUTS))
                    .isInstanceOf(RouteRejectedException.class)
                    .satisfies(
                            e ->
                                    assertThat(((RouteRejectedException) e).reason())
                                            .isEqualTo("InvalidDomain"));
        }
        assertThat(translations.size()).isOne();

        clock.addAndGet(Translations.IDLE_NANOS + 1);
        MailRoute other = Resources.pinnedRoute("mail", "b", "relay", "mx.b.example", "b.example");
        translations.translate(ResourceKey.of(other), other, RelayPlannerTest.NO_INPUTS);
        assertThat(translations.size()).as("the idle route's entry is gone").isOne();
    }
}
