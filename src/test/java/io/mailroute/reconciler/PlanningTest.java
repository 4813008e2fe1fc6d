package io.mailroute.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.processing.event.Event;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.postfix.PostfixRenderer;
import io.mailroute.routing.RelayPlan;
import io.mailroute.routing.RelayPlanner;
import io.mailroute.routing.ResourceKey;
import io.mailroute.routing.RouteTranslator;
import io.mailroute.testing.Resources;
import io.mailroute.validation.RenderPolicy;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The published plan: what route reconciles read, and which routes a new plan wakes. */
class PlanningTest {

    private final RelayPlanner planner =
            new RelayPlanner(new PostfixRenderer(), new RouteTranslator(new RenderPolicy(3)));
    private final Planning planning = new Planning(config());
    private final List<String> woken = new ArrayList<>();
    private final MailRelay relay = Resources.relay("mail", "relay");
    private final MailRoute a = route("a", "a.example", 1);
    private final MailRoute b = route("b", "b.example", 1);

    @BeforeEach
    void listen() {
        relay.getMetadata().setUid("uid-1");
        planning.events()
                .setEventHandler(
                        (Event event) -> woken.add(event.getRelatedCustomResourceID().getName()));
        planning.events().start();
    }

    @Test
    void aNewPlanWakesOnlyTheRoutesWhoseOutcomeOrGenerationChanged() {
        publish(a, b);
        assertThat(woken).containsExactlyInAnyOrder("a", "b");

        woken.clear();
        publish(a, b);
        assertThat(woken).as("same plan again").isEmpty();

        MailRoute bEdited = route("b", "b2.example", 2);
        publish(a, bEdited);
        assertThat(woken).containsExactly("b");

        woken.clear();
        publish(a);
        assertThat(woken).as("b left the relay").containsExactly("b");
    }

    @Test
    void aRouteNeverSeesAnOutcomePlannedForAnotherGenerationOfIt() {
        publish(a, b);
        assertThat(planning.publishedFor(relay, b).outcome(ResourceKey.of(b))).isPresent();

        MailRoute bEdited = route("b", "b2.example", 2);
        assertThat(planning.publishedFor(relay, bEdited).outcome(ResourceKey.of(b)))
                .as("not planned yet")
                .isEmpty();
        assertThat(planning.publishedFor(relay, a).outcome(ResourceKey.of(a))).isPresent();

        publish(a, bEdited);
        assertThat(planning.publishedFor(relay, bEdited).outcome(ResourceKey.of(b)))
                .get()
                .satisfies(
                        outcome ->
                                assertThat(outcome.domains())
                                        .extracting(d -> d.domain())
                                        .containsExactly("b2.example"));
    }

    @Test
    void aRecreatedRelayOfTheSameNameStartsWithoutAPlan() {
        publish(a);
        MailRelay recreated = Resources.relay("mail", "relay");
        recreated.getMetadata().setUid("uid-2");

        RelayPlan plan = planning.publishedFor(recreated, a);
        assertThat(plan.routes()).isEmpty();
        assertThat(plan.config()).isEmpty();
    }

    private void publish(MailRoute... routes) {
        List<MailRoute> all = List.of(routes);
        planning.publish(relay, planner.plan(relay, all, Resources.NO_INPUTS), all);
    }

    private static MailRoute route(String name, String domain, long generation) {
        MailRoute route = Resources.pinnedRoute("mail", name, "relay", "mx." + domain, domain);
        route.getMetadata().setGeneration(generation);
        route.getMetadata().setCreationTimestamp("2026-01-01T00:00:0" + name.length() + "Z");
        return route;
    }

    private static OperatorConfig config() {
        OperatorConfig.Validation validation =
                (OperatorConfig.Validation)
                        Proxy.newProxyInstance(
                                PlanningTest.class.getClassLoader(),
                                new Class<?>[] {OperatorConfig.Validation.class},
                                (proxy, method, args) ->
                                        method.getName().equals("hardFailureThreshold") ? 3 : null);
        return (OperatorConfig)
                Proxy.newProxyInstance(
                        PlanningTest.class.getClassLoader(),
                        new Class<?>[] {OperatorConfig.class},
                        (proxy, method, args) ->
                                method.getName().equals("validation") ? validation : null);
    }
}
