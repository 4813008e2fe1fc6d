package io.mailroute.routing;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.mailroute.api.v1alpha1.AllowedRoutes;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.SecretKeys;
import io.mailroute.api.v1alpha1.SmarthostTarget;
import io.mailroute.postfix.PostfixRenderer;
import io.mailroute.testing.Resources;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Planning a relay from routes, without an API server. */
class RelayPlannerTest {
    final RelayPlanner planner = new RelayPlanner(new PostfixRenderer(), new RouteTranslator(new io.mailroute.validation.RenderPolicy(3)));
    final MailRelay relay = Resources.relay("mail", "relay");

    static final RouteInputs NO_INPUTS = new RouteInputs() {
        @Override
        public Map<String, String> namespaceLabels(String namespace) {
            return Map.of("team", "mail-" + namespace);
        }

        @Override
        public Optional<Map<String, String>> secretData(String namespace, String name) {
            return name.equals("auth") ? Optional.of(Map.of("username", "u", "password", "p w")) : Optional.empty();
        }
    };

    static MailRoute created(MailRoute route, String timestamp) {
        route.getMetadata().setCreationTimestamp(timestamp);
        return route;
    }

    @Test
    void routesOfOtherRelaysAreIgnored() {
        MailRoute mine = Resources.pinnedRoute("mail", "mine", "relay", "mx.example.test", "example.com");
        MailRoute other = Resources.pinnedRoute("mail", "other", "another-relay", "mx.example.test", "example.org");
        RelayPlan plan = planner.plan(relay, List.of(mine, other), NO_INPUTS);
        assertThat(plan.routes()).containsOnlyKeys(new ResourceKey("mail", "mine"));
        assertThat(RelayPlanner.transportValues(plan.config().orElseThrow()))
                .containsExactly(Map.entry("example.com", "smtp:[mx.example.test]:25"));
    }

    @Test
    void planDoesNotDependOnRouteOrder() {
        MailRoute a = created(Resources.pinnedRoute("mail", "a", "relay", "mx1.example.test", "a.example"), "2026-01-01T00:00:00Z");
        MailRoute b = created(Resources.pinnedRoute("mail", "b", "relay", "mx2.example.test", "b.example"), "2026-01-02T00:00:00Z");
        assertThat(planner.plan(relay, List.of(a, b), NO_INPUTS).config().orElseThrow().hash())
                .isEqualTo(planner.plan(relay, List.of(b, a), NO_INPUTS).config().orElseThrow().hash());
    }

    @Test
    void oldestRouteWinsAConflictAndTheLoserKeepsItsOtherDomains() {
        MailRoute older = created(Resources.pinnedRoute("mail", "zz-older", "relay", "mx1.example.test", "example.com"),
                "2026-01-01T00:00:00Z");
        MailRoute newer = created(Resources.pinnedRoute("mail", "aa-newer", "relay", "mx2.example.test",
                "example.com", "example.net"), "2026-01-02T00:00:00Z");
        RelayPlan plan = planner.plan(relay, List.of(newer, older), NO_INPUTS);
        assertThat(RelayPlanner.transportValues(plan.config().orElseThrow())).isEqualTo(Map.of(
                "example.com", "smtp:[mx1.example.test]:25", "example.net", "smtp:[mx2.example.test]:25"));
        RouteOutcome loser = plan.outcome(new ResourceKey("mail", "aa-newer")).orElseThrow();
        assertThat(loser.accepted()).isTrue();
        assertThat(loser.fullyRendered()).isFalse();
        assertThat(loser.domains()).extracting(DomainOutcome::domain, DomainOutcome::state).containsExactly(
                org.assertj.core.groups.Tuple.tuple("example.com", DomainOutcome.State.Conflict),
                org.assertj.core.groups.Tuple.tuple("example.net", DomainOutcome.State.Programmed));
        assertThat(loser.domains().get(0).message()).contains("mail/zz-older");
    }

    @Test
    void invalidDomainRejectsTheWholeRouteWithAReason() {
        MailRoute bad = Resources.pinnedRoute("mail", "bad", "relay", "mx.example.test", "good.example", "bad domain.example");
        RelayPlan plan = planner.plan(relay, List.of(bad), NO_INPUTS);
        RouteOutcome outcome = plan.outcome(new ResourceKey("mail", "bad")).orElseThrow();
        assertThat(outcome.accepted()).isFalse();
        assertThat(outcome.reason()).isEqualTo("InvalidDomain");
        assertThat(outcome.message()).startsWith("spec.domains[1]");
        assertThat(RelayPlanner.transportValues(plan.config().orElseThrow())).isEmpty();
    }

    @Test
    void credentialsThatWouldBreakTheMapAreRejectedWithoutShowingThem() {
        MailRoute route = Resources.pinnedRoute("mail", "smart", "relay", "unused.example", "example.com");
        route.getSpec().target.hosts = null;
        route.getSpec().target.relay = new SmarthostTarget("smtp.example.net", 587);
        route.getSpec().target.relay.authSecretRef = new SecretKeys("auth");
        RouteOutcome outcome = planner.plan(relay, List.of(route), NO_INPUTS).outcome(new ResourceKey("mail", "smart"))
                .orElseThrow();
        assertThat(outcome.reason()).isEqualTo("InvalidCredentials");
        assertThat(outcome.message()).doesNotContain("p w");
    }

    @Test
    void namespaceSelectorAdmitsOnlyMatchingNamespaces() {
        relay.getSpec().allowedRoutes = new AllowedRoutes();
        relay.getSpec().allowedRoutes.from = AllowedRoutes.From.Selector;
        relay.getSpec().allowedRoutes.selector = new LabelSelectorBuilder().addToMatchLabels("team", "mail-shop").build();
        MailRoute shop = Resources.pinnedRoute("shop", "r", "relay", "mx.example.test", "shop.example");
        shop.getSpec().relayRefs.get(0).namespace = "mail";
        MailRoute blog = Resources.pinnedRoute("blog", "r", "relay", "mx.example.test", "blog.example");
        blog.getSpec().relayRefs.get(0).namespace = "mail";
        RelayPlan plan = planner.plan(relay, List.of(shop, blog), NO_INPUTS);
        assertThat(plan.outcome(new ResourceKey("shop", "r")).orElseThrow().accepted()).isTrue();
        RouteOutcome refused = plan.outcome(new ResourceKey("blog", "r")).orElseThrow();
        assertThat(refused.reason()).isEqualTo("NotAllowedByRelay");
        assertThat(RelayPlanner.transportValues(plan.config().orElseThrow())).containsOnlyKeys("shop.example");
    }

    @Test
    void invalidRelayKeepsNoConfigAndRejectsItsRoutes() {
        relay.getSpec().acceptFrom = List.of("10.0.0.0/99");
        MailRoute route = Resources.pinnedRoute("mail", "r", "relay", "mx.example.test", "example.com");
        RelayPlan plan = planner.plan(relay, List.of(route), NO_INPUTS);
        assertThat(plan.config()).isEmpty();
        assertThat(plan.errorReason()).isEqualTo("InvalidRelay");
        assertThat(plan.errorMessage()).contains("spec.acceptFrom[0]");
        assertThat(plan.outcome(new ResourceKey("mail", "r")).orElseThrow().reason()).isEqualTo("RelayInvalid");
    }

    /** Hardening item 4: the translator and RelaySettings both normalized acceptFrom, so IPv6 was always refused. */
    @Test
    void ipv6AcceptFromIsAcceptedAndRenderedInPostfixSyntax() {
        relay.getSpec().acceptFrom = List.of("10.0.0.0/8", "2001:db8::/32", "fd00:10::/64");
        RelayPlan plan = planner.plan(relay, List.of(), NO_INPUTS);
        assertThat(plan.errorMessage()).isNull();
        assertThat(plan.config().orElseThrow().mainCf())
                .contains("\nmynetworks = 127.0.0.0/8 [::1]/128 10.0.0.0/8 [2001:db8::]/32 [fd00:10::]/64\n");
    }

    /** Hardening item 3: two half-networks are the whole IPv4 internet; refused like 0.0.0.0/0. */
    @Test
    void networksThatTogetherCoverTheInternetMakeTheRelayInvalid() {
        relay.getSpec().acceptFrom = List.of("0.0.0.0/1", "128.0.0.0/1");
        MailRoute route = Resources.pinnedRoute("mail", "r", "relay", "mx.example.test", "example.com");
        RelayPlan plan = planner.plan(relay, List.of(route), NO_INPUTS);
        assertThat(plan.config()).isEmpty();
        assertThat(plan.errorReason()).isEqualTo("InvalidRelay");
        assertThat(plan.errorMessage()).startsWith("spec.acceptFrom: together the networks cover ")
                .contains("at most 65536 (a /16) are allowed");
    }

    /** Hardening item 11, operator path: the CRD does not require key/operator, so the planner must refuse it. */
    @Test
    void selectorRequirementWithoutOperatorMakesTheRelayInvalidInsteadOfThrowing() {
        relay.getSpec().allowedRoutes = new AllowedRoutes();
        relay.getSpec().allowedRoutes.from = AllowedRoutes.From.Selector;
        relay.getSpec().allowedRoutes.selector = new LabelSelectorBuilder().addNewMatchExpression()
                .withKey("team").withValues("a").endMatchExpression().build();
        MailRoute route = Resources.pinnedRoute("shop", "r", "relay", "mx.example.test", "shop.example");
        route.getSpec().relayRefs.get(0).namespace = "mail";
        RelayPlan plan = planner.plan(relay, List.of(route), NO_INPUTS);
        assertThat(plan.errorReason()).isEqualTo("InvalidRelay");
        assertThat(plan.errorMessage()).isEqualTo("spec.allowedRoutes.selector.matchExpressions[0].operator: "
                + "must be one of In, NotIn, Exists, DoesNotExist");
    }

    /** Hardening item 11, operator path: a Secret that cannot be decoded rejects the route that uses it. */
    @Test
    void undecodableSecretRejectsTheRouteNamingSecretAndKey() {
        MailRoute route = Resources.pinnedRoute("mail", "r", "relay", "mx.example.test", "example.com");
        route.getSpec().target.hosts = null;
        route.getSpec().target.relay = new SmarthostTarget();
        route.getSpec().target.relay.host = "smtp.example.net";
        route.getSpec().target.relay.authSecretRef = new SecretKeys();
        route.getSpec().target.relay.authSecretRef.name = "creds";
        io.fabric8.kubernetes.api.model.Secret secret = new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata().withNamespace("mail").withName("creds").endMetadata()
                .addToData("username", "dXNlcg==").addToData("password", "not base64!").build();
        RouteInputs inputs = new RouteInputs() {
            @Override
            public Map<String, String> namespaceLabels(String namespace) {
                return Map.of();
            }

            @Override
            public Optional<Map<String, String>> secretData(String namespace, String name) {
                return Optional.of(SecretValues.decode(secret));
            }
        };
        RouteOutcome outcome = planner.plan(relay, List.of(route), inputs).outcome(ResourceKey.of(route)).orElseThrow();
        assertThat(outcome.reason()).isEqualTo("InvalidSecret");
        assertThat(outcome.message()).isEqualTo("Secret mail/creds: data.password: not valid base64 "
                + "(the value is not shown)");
    }

    @Test
    void nullHostEntryRejectsTheRoute() {
        MailRoute route = Resources.pinnedRoute("mail", "r", "relay", "mx.example.test", "example.com");
        route.getSpec().target.hosts = new java.util.ArrayList<>(route.getSpec().target.hosts);
        route.getSpec().target.hosts.add(null);
        RouteOutcome outcome = planner.plan(relay, List.of(route), NO_INPUTS).outcome(ResourceKey.of(route))
                .orElseThrow();
        assertThat(outcome.reason()).isEqualTo("InvalidTarget");
        assertThat(outcome.message()).isEqualTo("spec.target.hosts[1]: must not be null");
    }
}
