package io.mailroute.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.mailroute.api.v1alpha1.AllowedRoutes;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.RelayRef;
import io.mailroute.testing.Resources;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which relay a route references, and whether the relay's {@code allowedRoutes} admit the route's
 * namespace.
 */
class RouteAdmissionTest {
    private final MailRelay relay = Resources.relay("mail", "relay");

    @Test
    void aRefWithoutNamespaceMeansTheRoutesNamespace() {
        MailRoute route =
                Resources.pinnedRoute("team", "r", "relay", "mx.example.net", "a.example");
        assertThat(RouteAdmission.references(route, new ResourceKey("team", "relay"))).isTrue();
        assertThat(RouteAdmission.references(route, new ResourceKey("mail", "relay"))).isFalse();
        route.getSpec().relayRefs =
                List.of(new RelayRef("other", null), new RelayRef("relay", "mail"));
        assertThat(RouteAdmission.references(route, new ResourceKey("mail", "relay"))).isTrue();
        assertThat(RouteAdmission.target(new RelayRef("relay", ""), "team"))
                .isEqualTo(new ResourceKey("team", "relay"));
    }

    @Test
    void aRouteWithoutSpecOrRefsReferencesNothing() {
        MailRoute route =
                Resources.pinnedRoute("team", "r", "relay", "mx.example.net", "a.example");
        route.getSpec().relayRefs = null;
        assertThat(RouteAdmission.references(route, new ResourceKey("team", "relay"))).isFalse();
        route.setSpec(null);
        assertThat(RouteAdmission.references(route, new ResourceKey("team", "relay"))).isFalse();
    }

    @Test
    void byDefaultOnlyTheRelaysOwnNamespaceIsAdmitted() {
        assertThat(RouteAdmission.refusal(relay, "mail", Map.of())).isNull();
        assertThat(RouteAdmission.refusal(relay, "team", Map.of()))
                .isEqualTo(
                        "MailRelay mail/relay only accepts "
                                + "routes from its own namespace (spec.allowedRoutes.from: Same)");
        assertThat(RouteAdmission.needsNamespaceLabels(relay)).isFalse();
    }

    @Test
    void allAdmitsEveryNamespace() {
        MailRelay all = Resources.relayAllowingAll("mail", "relay");
        assertThat(RouteAdmission.refusal(all, "team", Map.of())).isNull();
        assertThat(RouteAdmission.needsNamespaceLabels(all)).isFalse();
    }

    @Test
    void selectorAdmitsNamespacesWhoseLabelsMatch() {
        relay.getSpec().allowedRoutes = new AllowedRoutes();
        relay.getSpec().allowedRoutes.from = AllowedRoutes.From.Selector;
        relay.getSpec().allowedRoutes.selector =
                new LabelSelectorBuilder()
                        .addNewMatchExpression()
                        .withKey("mail")
                        .withOperator("In")
                        .withValues("yes")
                        .endMatchExpression()
                        .build();
        assertThat(RouteAdmission.needsNamespaceLabels(relay)).isTrue();
        assertThat(RouteAdmission.refusal(relay, "team", Map.of("mail", "yes"))).isNull();
        assertThat(RouteAdmission.refusal(relay, "team", Map.of("mail", "no")))
                .isEqualTo(
                        "namespace team does not "
                                + "match spec.allowedRoutes.selector of MailRelay mail/relay");
        relay.getSpec().allowedRoutes.selector = null;
        assertThat(RouteAdmission.refusal(relay, "mail", Map.of()))
                .as("Selector without a selector admits none")
                .isNotNull();
    }
}
