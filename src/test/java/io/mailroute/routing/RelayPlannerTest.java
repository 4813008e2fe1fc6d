package io.mailroute.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.mailroute.api.v1alpha1.AllowedRoutes;
import io.mailroute.api.v1alpha1.MailRelay;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.SecretKeys;
import io.mailroute.api.v1alpha1.SmarthostTarget;
import io.mailroute.postfix.PostfixConfig;
import io.mailroute.postfix.PostfixRenderer;
import io.mailroute.testing.Resources;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Planning a relay from routes, without an API server. */
class RelayPlannerTest {
    final RelayPlanner planner =
            new RelayPlanner(
                    new PostfixRenderer(),
                    new RouteTranslator(new io.mailroute.validation.RenderPolicy(3)));
    final MailRelay relay = Resources.relay("mail", "relay");

    static final Map<String, String> CREDENTIALS = Map.of(CredentialSecrets.LABEL, "true");

    static final RouteInputs NO_INPUTS =
            new RouteInputs() {
                @Override
                public Map<String, String> namespaceLabels(String namespace) {
                    return Map.of("team", "mail-" + namespace);
                }

                @Override
                public Optional<SecretInput> secret(String namespace, String name) {
                    return switch (name) {
                        case "auth" ->
                                Optional.of(
                                        new SecretInput(
                                                "Opaque",
                                                CREDENTIALS,
                                                Map.of("username", "u", "password", "p w")));
                        case "good" ->
                                Optional.of(
                                        new SecretInput(
                                                "kubernetes.io/basic-auth",
                                                CREDENTIALS,
                                                Map.of("username", "u", "password", "pw")));
                        // not made for mailroute: planning never decodes its values
                        // (SecretInput.of), so data stays empty
                        case "sa-token" ->
                                Optional.of(
                                        new SecretInput(
                                                "kubernetes.io/service-account-token",
                                                Map.of(),
                                                Map.of()));
                        case "labelled-token" ->
                                Optional.of(
                                        new SecretInput(
                                                "kubernetes.io/service-account-token",
                                                CREDENTIALS,
                                                Map.of("token", "t")));
                        default -> Optional.empty();
                    };
                }
            };

    static MailRoute created(MailRoute route, String timestamp) {
        route.getMetadata().setCreationTimestamp(timestamp);
        return route;
    }

    @Test
    void routesOfOtherRelaysAreIgnored() {
        MailRoute mine =
                Resources.pinnedRoute("mail", "mine", "relay", "mx.example.test", "example.com");
        MailRoute other =
                Resources.pinnedRoute(
                        "mail", "other", "another-relay", "mx.example.test", "example.org");
        RelayPlan plan = planner.plan(relay, List.of(mine, other), NO_INPUTS);
        assertThat(plan.routes()).containsOnlyKeys(new ResourceKey("mail", "mine"));
        assertThat(RelayPlanner.transportValues(plan.config().orElseThrow()))
                .containsExactly(Map.entry("example.com", "smtp:[mx.example.test]:25"));
    }

    @Test
    void planDoesNotDependOnRouteOrder() {
        MailRoute a =
                created(
                        Resources.pinnedRoute(
                                "mail", "a", "relay", "mx1.example.test", "a.example"),
                        "2026-01-01T00:00:00Z");
        MailRoute b =
                created(
                        Resources.pinnedRoute(
                                "mail", "b", "relay", "mx2.example.test", "b.example"),
                        "2026-01-02T00:00:00Z");
        assertThat(planner.plan(relay, List.of(a, b), NO_INPUTS).config().orElseThrow().hash("k"))
                .isEqualTo(
                        planner.plan(relay, List.of(b, a), NO_INPUTS)
                                .config()
                                .orElseThrow()
                                .hash("k"));
    }

    @Test
    void oldestRouteWinsAConflictAndTheLoserKeepsItsOtherDomains() {
        MailRoute older =
                created(
                        Resources.pinnedRoute(
                                "mail", "zz-older", "relay", "mx1.example.test", "example.com"),
                        "2026-01-01T00:00:00Z");
        MailRoute newer =
                created(
                        Resources.pinnedRoute(
                                "mail",
                                "aa-newer",
                                "relay",
                                "mx2.example.test",
                                "example.com",
                                "example.net"),
                        "2026-01-02T00:00:00Z");
        RelayPlan plan = planner.plan(relay, List.of(newer, older), NO_INPUTS);
        assertThat(RelayPlanner.transportValues(plan.config().orElseThrow()))
                .isEqualTo(
                        Map.of(
                                "example.com",
                                "smtp:[mx1.example.test]:25",
                                "example.net",
                                "smtp:[mx2.example.test]:25"));
        RouteOutcome loser = plan.outcome(new ResourceKey("mail", "aa-newer")).orElseThrow();
        assertThat(loser.accepted()).isTrue();
        assertThat(loser.fullyRendered()).isFalse();
        assertThat(loser.domains())
                .extracting(DomainOutcome::domain, DomainOutcome::state)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "example.com", DomainOutcome.State.Conflict),
                        org.assertj.core.groups.Tuple.tuple(
                                "example.net", DomainOutcome.State.Programmed));
        assertThat(loser.domains().get(0).message()).contains("mail/zz-older");
    }

    @Test
    void invalidDomainRejectsTheWholeRouteWithAReason() {
        MailRoute bad =
                Resources.pinnedRoute(
                        "mail",
                        "bad",
                        "relay",
                        "mx.example.test",
                        "good.example",
                        "bad domain.example");
        RelayPlan plan = planner.plan(relay, List.of(bad), NO_INPUTS);
        RouteOutcome outcome = plan.outcome(new ResourceKey("mail", "bad")).orElseThrow();
        assertThat(outcome.accepted()).isFalse();
        assertThat(outcome.reason()).isEqualTo("InvalidDomain");
        assertThat(outcome.message()).startsWith("spec.domains[1]");
        assertThat(RelayPlanner.transportValues(plan.config().orElseThrow())).isEmpty();
    }

    @Test
    void credentialsThatWouldBreakTheMapAreRejectedWithoutShowingThem() {
        MailRoute route =
                Resources.pinnedRoute("mail", "smart", "relay", "unused.example", "example.com");
        route.getSpec().target.hosts = null;
        route.getSpec().target.relay = new SmarthostTarget("smtp.example.net", 587);
        route.getSpec().target.relay.authSecretRef = new SecretKeys("auth");
        RouteOutcome outcome =
                planner.plan(relay, List.of(route), NO_INPUTS)
                        .outcome(new ResourceKey("mail", "smart"))
                        .orElseThrow();
        assertThat(outcome.reason()).isEqualTo("InvalidCredentials");
        assertThat(outcome.message()).doesNotContain("p w");
    }

    @Test
    void namespaceSelectorAdmitsOnlyMatchingNamespaces() {
        relay.getSpec().allowedRoutes = new AllowedRoutes();
        relay.getSpec().allowedRoutes.from = AllowedRoutes.From.Selector;
        relay.getSpec().allowedRoutes.selector =
                new LabelSelectorBuilder().addToMatchLabels("team", "mail-shop").build();
        MailRoute shop =
                Resources.pinnedRoute("shop", "r", "relay", "mx.example.test", "shop.example");
        shop.getSpec().relayRefs.get(0).namespace = "mail";
        MailRoute blog =
                Resources.pinnedRoute("blog", "r", "relay", "mx.example.test", "blog.example");
        blog.getSpec().relayRefs.get(0).namespace = "mail";
        RelayPlan plan = planner.plan(relay, List.of(shop, blog), NO_INPUTS);
        assertThat(plan.outcome(new ResourceKey("shop", "r")).orElseThrow().accepted()).isTrue();
        RouteOutcome refused = plan.outcome(new ResourceKey("blog", "r")).orElseThrow();
        assertThat(refused.reason()).isEqualTo("NotAllowedByRelay");
        assertThat(RelayPlanner.transportValues(plan.config().orElseThrow()))
                .containsOnlyKeys("shop.example");
    }

    @Test
    void invalidRelayKeepsNoConfigAndRejectsItsRoutes() {
        relay.getSpec().acceptFrom = List.of("10.0.0.0/99");
        MailRoute route =
                Resources.pinnedRoute("mail", "r", "relay", "mx.example.test", "example.com");
        RelayPlan plan = planner.plan(relay, List.of(route), NO_INPUTS);
        assertThat(plan.config()).isEmpty();
        assertThat(plan.errorReason()).isEqualTo("InvalidRelay");
        assertThat(plan.errorMessage()).contains("spec.acceptFrom[0]");
        assertThat(plan.outcome(new ResourceKey("mail", "r")).orElseThrow().reason())
                .isEqualTo("RelayInvalid");
    }

    static MailRoute smarthostRoute(String name, String secret) {
        MailRoute route =
                Resources.pinnedRoute("mail", name, "relay", "unused.example", name + ".example");
        route.getSpec().target.hosts = null;
        route.getSpec().target.relay = new SmarthostTarget("smtp.example.net", 587);
        route.getSpec().target.relay.authSecretRef = new SecretKeys(secret);
        route.getSpec().tls = io.mailroute.api.v1alpha1.TlsPolicy.ENCRYPT;
        return route;
    }

    @Test
    void routeCredentialsComeOnlyFromCredentialsSecrets() {
        RelayPlan plan =
                planner.plan(
                        relay,
                        List.of(
                                smarthostRoute("ok", "good"),
                                smarthostRoute("token", "sa-token"),
                                smarthostRoute("labelled", "labelled-token")),
                        NO_INPUTS);
        assertThat(plan.outcome(new ResourceKey("mail", "ok")).orElseThrow().accepted()).isTrue();
        RouteOutcome token = plan.outcome(new ResourceKey("mail", "token")).orElseThrow();
        assertThat(token.accepted()).isFalse();
        assertThat(token.reason()).isEqualTo("SecretNotForCredentials");
        assertThat(token.message())
                .isEqualTo(
                        "Secret mail/sa-token named in spec.target.relay.authSecretRef cannot "
                                + "be used: it is not labelled mailroute.io/credentials: \"true\"; only Secrets made for mailroute "
                                + "credentials are read");
        RouteOutcome labelled = plan.outcome(new ResourceKey("mail", "labelled")).orElseThrow();
        assertThat(labelled.reason()).isEqualTo("SecretNotForCredentials");
        assertThat(labelled.message()).contains("type is kubernetes.io/service-account-token");
        PostfixConfig config = plan.config().orElseThrow();
        assertThat(RelayPlanner.transportValues(config)).containsOnlyKeys("ok.example");
        assertThat(config.saslPasswd())
                .contains("[smtp.example.net]:587 u:pw")
                .doesNotContain("u:t");
    }

    @Test
    void valuesOfOtherSecretsAreNeverDecoded() {
        Secret token =
                new SecretBuilder()
                        .withNewMetadata()
                        .withName("sa")
                        .withNamespace("mail")
                        .endMetadata()
                        .withType("kubernetes.io/service-account-token")
                        .withData(
                                Map.of(
                                        "token",
                                        java.util.Base64.getEncoder()
                                                .encodeToString("eyJ-secret".getBytes())))
                        .build();
        assertThat(SecretInput.of(token).data()).isEmpty();
        Secret unlabelled = new SecretBuilder(token).withType("kubernetes.io/basic-auth").build();
        assertThat(SecretInput.of(unlabelled).data()).isEmpty();
        Secret credentials =
                new SecretBuilder(unlabelled)
                        .editMetadata()
                        .withLabels(CREDENTIALS)
                        .endMetadata()
                        .build();
        assertThat(SecretInput.of(credentials).data()).containsEntry("token", "eyJ-secret");
        assertThat(SecretInput.of(credentials).toString()).doesNotContain("eyJ-secret");
    }

    @Test
    void defaultRouteSmarthostCredentialsAreRendered() {
        relay.getSpec().defaultRoute = new io.mailroute.api.v1alpha1.DefaultRoute();
        relay.getSpec().defaultRoute.smarthost = new SmarthostTarget("smarthost.example.net", 587);
        relay.getSpec().defaultRoute.smarthost.authSecretRef = new SecretKeys("good");
        relay.getSpec().defaultRoute.tls = io.mailroute.api.v1alpha1.TlsPolicy.VERIFY;
        PostfixConfig config = planner.plan(relay, List.of(), NO_INPUTS).config().orElseThrow();
        assertThat(config.saslPasswd()).contains("[smarthost.example.net]:587 u:pw");
        assertThat(config.mainCf())
                .contains("relayhost = [smarthost.example.net]:587")
                .contains("smtp_sasl_auth_enable = yes");
        assertThat(config.publicFiles().values()).noneMatch(file -> file.contains("u:pw"));
    }

    @Test
    void defaultRouteCredentialsFromAnotherSecretOrWithoutTlsInvalidateTheRelay() {
        relay.getSpec().defaultRoute = new io.mailroute.api.v1alpha1.DefaultRoute();
        relay.getSpec().defaultRoute.smarthost = new SmarthostTarget("smarthost.example.net", 587);
        relay.getSpec().defaultRoute.smarthost.authSecretRef = new SecretKeys("sa-token");
        relay.getSpec().defaultRoute.tls = io.mailroute.api.v1alpha1.TlsPolicy.VERIFY;
        RelayPlan plan = planner.plan(relay, List.of(), NO_INPUTS);
        assertThat(plan.config()).isEmpty();
        assertThat(plan.errorReason()).isEqualTo("SecretNotForCredentials");
        assertThat(plan.errorMessage())
                .contains("mail/sa-token", "spec.defaultRoute.smarthost.authSecretRef");

        relay.getSpec().defaultRoute.smarthost.authSecretRef = new SecretKeys("absent");
        assertThat(planner.plan(relay, List.of(), NO_INPUTS).errorReason())
                .isEqualTo("SecretNotFound");

        relay.getSpec().defaultRoute.smarthost.authSecretRef = new SecretKeys("good");
        relay.getSpec().defaultRoute.tls = io.mailroute.api.v1alpha1.TlsPolicy.MAY;
        plan = planner.plan(relay, List.of(), NO_INPUTS);
        assertThat(plan.errorReason()).isEqualTo("InvalidRelay");
        assertThat(plan.errorMessage()).contains("spec.defaultRoute.tls").doesNotContain("pw");
    }

    static MailRoute inNamespace(
            String namespace,
            String name,
            String timestamp,
            boolean subdomains,
            String... domains) {
        MailRoute route =
                created(
                        Resources.pinnedRoute(
                                namespace, name, "relay", "mx-" + name + ".example.test", domains),
                        timestamp);
        route.getSpec().relayRefs.get(0).namespace = "mail";
        route.getSpec().includeSubdomains = subdomains;
        return route;
    }

    @Test
    void aNewerRouteOfAnotherNamespaceCannotTakeADomainInsideAnOlderSubdomainTree() {
        relay.getSpec().allowedRoutes = new AllowedRoutes();
        relay.getSpec().allowedRoutes.from = AllowedRoutes.From.All;
        MailRoute owner =
                inNamespace("finance", "owner", "2026-01-01T00:00:00Z", true, "example.com");
        MailRoute thief =
                inNamespace(
                        "tenant",
                        "thief",
                        "2026-01-02T00:00:00Z",
                        false,
                        "payroll.example.com",
                        "deep.hr.example.com",
                        "example.org");
        MailRoute sibling =
                inNamespace(
                        "finance", "sibling", "2026-01-03T00:00:00Z", false, "billing.example.com");
        RelayPlan plan = planner.plan(relay, List.of(thief, sibling, owner), NO_INPUTS);

        assertThat(RelayPlanner.transportValues(plan.config().orElseThrow()))
                .containsOnlyKeys(
                        "example.com", ".example.com", "billing.example.com", "example.org");
        RouteOutcome lost = plan.outcome(new ResourceKey("tenant", "thief")).orElseThrow();
        assertThat(lost.accepted()).isTrue();
        assertThat(lost.domains())
                .extracting(DomainOutcome::domain, DomainOutcome::state)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                "deep.hr.example.com", DomainOutcome.State.Conflict),
                        org.assertj.core.groups.Tuple.tuple(
                                "example.org", DomainOutcome.State.Programmed),
                        org.assertj.core.groups.Tuple.tuple(
                                "payroll.example.com", DomainOutcome.State.Conflict));
        assertThat(lost.domains().get(2).message())
                .isEqualTo(
                        "domain payroll.example.com is inside example.com "
                                + "and its subdomains, routed on MailRelay mail/relay by the older MailRoute finance/owner "
                                + "(includeSubdomains); only routes of namespace finance may route domains inside it");
        // the owner's own namespace may carve out a more specific domain
        assertThat(
                        plan.outcome(new ResourceKey("finance", "sibling"))
                                .orElseThrow()
                                .fullyRendered())
                .isTrue();
    }

    @Test
    void aNewerSubdomainTreeLeavesOlderMoreSpecificDomainsOfOtherNamespacesAlone() {
        relay.getSpec().allowedRoutes = new AllowedRoutes();
        relay.getSpec().allowedRoutes.from = AllowedRoutes.From.All;
        MailRoute older =
                inNamespace(
                        "payroll", "older", "2026-01-01T00:00:00Z", true, "payroll.example.com");
        MailRoute newer = inNamespace("web", "newer", "2026-01-02T00:00:00Z", true, "example.com");
        RelayPlan plan = planner.plan(relay, List.of(newer, older), NO_INPUTS);
        // Postfix matches the most specific entry: payroll.example.com and its subdomains stay with
        // the older route
        assertThat(RelayPlanner.transportValues(plan.config().orElseThrow()))
                .containsEntry("payroll.example.com", "smtp:[mx-older.example.test]:25")
                .containsEntry(".payroll.example.com", "smtp:[mx-older.example.test]:25")
                .containsEntry(".example.com", "smtp:[mx-newer.example.test]:25");
        assertThat(plan.outcome(new ResourceKey("web", "newer")).orElseThrow().fullyRendered())
                .isTrue();
        assertThat(plan.outcome(new ResourceKey("payroll", "older")).orElseThrow().fullyRendered())
                .isTrue();
    }

    static MailRoute bigRoute(String name, String timestamp, int domains) {
        String[] names = new String[domains];
        for (int i = 0; i < domains; i++) {
            names[i] = name + "-" + i + ".example";
        }
        MailRoute route =
                created(
                        Resources.pinnedRoute("mail", name, "relay", "mx.example.test", names),
                        timestamp);
        route.getSpec().includeSubdomains = true;
        return route;
    }

    @Test
    void aRouteOverItsBudgetIsRefusedAloneAndOthersStay() {
        // the issue's route: 256 domains x 16 hosts with long names and subdomains renders over 2
        // MB
        String[] domains = new String[256];
        for (int i = 0; i < domains.length; i++) {
            domains[i] = "d" + i + "-" + "x".repeat(50) + ".example";
        }
        MailRoute huge =
                created(
                        Resources.pinnedRoute("mail", "huge", "relay", "unused", domains),
                        "2026-01-01T00:00:00Z");
        huge.getSpec().includeSubdomains = true;
        huge.getSpec().target.hosts = new java.util.ArrayList<>();
        for (int i = 0; i < 16; i++) {
            huge.getSpec()
                    .target
                    .hosts
                    .add(
                            new io.mailroute.api.v1alpha1.NextHopHost(
                                    "mx"
                                            + i
                                            + "-"
                                            + "y".repeat(50)
                                            + ".relay-"
                                            + "z".repeat(40)
                                            + ".example.net",
                                    25,
                                    false));
        }
        MailRoute small =
                created(
                        Resources.pinnedRoute(
                                "mail", "small", "relay", "mx.example.test", "small.example"),
                        "2026-01-02T00:00:00Z");
        RelayPlan plan =
                new RelayPlanner(
                                new PostfixRenderer(),
                                new RouteTranslator(new io.mailroute.validation.RenderPolicy(3)))
                        .plan(relay, List.of(huge, small), NO_INPUTS);
        RouteOutcome refused = plan.outcome(new ResourceKey("mail", "huge")).orElseThrow();
        assertThat(refused.accepted()).isFalse();
        assertThat(refused.reason()).isEqualTo("RouteTooLarge");
        assertThat(refused.message())
                .contains("one route may add at most 65536 bytes", "MailRelay mail/relay");
        assertThat(plan.outcome(new ResourceKey("mail", "small")).orElseThrow().fullyRendered())
                .isTrue();
        assertThat(RelayPlanner.transportValues(plan.config().orElseThrow()))
                .containsOnlyKeys("small.example");
    }

    @Test
    void routesThatNoLongerFitTheRelayAreRefusedNewestFirst() {
        RelayPlanner small =
                new RelayPlanner(
                        new PostfixRenderer(),
                        new RouteTranslator(new io.mailroute.validation.RenderPolicy(3)),
                        new RelayPlanner.Budget(4_000, 12_000));
        List<MailRoute> routes = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            routes.add(bigRoute("r" + i, "2026-01-0" + (i + 1) + "T00:00:00Z", 20));
        }
        RelayPlan plan = small.plan(relay, routes, NO_INPUTS);
        List<String> accepted =
                plan.routes().values().stream()
                        .filter(RouteOutcome::accepted)
                        .map(o -> o.route().name())
                        .sorted()
                        .toList();
        List<String> refused =
                plan.routes().values().stream()
                        .filter(o -> !o.accepted())
                        .map(o -> o.route().name())
                        .sorted()
                        .toList();
        assertThat(accepted).isNotEmpty();
        assertThat(refused).isNotEmpty();
        // every accepted route is older than every refused one
        assertThat(accepted.get(accepted.size() - 1)).isLessThan(refused.get(0));
        assertThat(plan.routes().values())
                .filteredOn(o -> !o.accepted())
                .allSatisfy(
                        o -> {
                            assertThat(o.reason()).isEqualTo("RelayConfigFull");
                            assertThat(o.message()).contains("of the 12000 bytes");
                        });
        PostfixConfig config = plan.config().orElseThrow();
        long rendered =
                config.publicFiles().values().stream().mapToLong(f -> f.getBytes().length).sum()
                        + config.saslPasswd().length();
        assertThat(rendered).isLessThanOrEqualTo(12_000);
    }

    @Test
    void credentialsBeyondTheSecretsBudgetAreRefusedNewestFirstWhileTheMapsStillHaveRoom() {
        RelayPlanner planner =
                new RelayPlanner(
                        new PostfixRenderer(),
                        new RouteTranslator(new io.mailroute.validation.RenderPolicy(3)),
                        new RelayPlanner.Budget(4_000, 1_000_000, 70));
        List<MailRoute> routes = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            MailRoute route =
                    created(
                            Resources.pinnedRoute(
                                    "mail",
                                    "smart" + i,
                                    "relay",
                                    "unused.example",
                                    "d" + i + ".example.com"),
                            "2026-01-0" + (i + 1) + "T00:00:00Z");
            route.getSpec().target.hosts = null;
            route.getSpec().target.relay = new SmarthostTarget("smtp" + i + ".example.net", 587);
            route.getSpec().target.relay.authSecretRef = new SecretKeys("good");
            route.getSpec().tls = io.mailroute.api.v1alpha1.TlsPolicy.VERIFY;
            routes.add(route);
        }
        RelayPlan plan = planner.plan(relay, routes, NO_INPUTS);
        List<String> accepted =
                plan.routes().values().stream()
                        .filter(RouteOutcome::accepted)
                        .map(o -> o.route().name())
                        .sorted()
                        .toList();
        assertThat(accepted).as("%s", plan.routes()).isNotEmpty().hasSizeLessThan(4);
        assertThat(plan.routes().values())
                .filteredOn(o -> !o.accepted())
                .isNotEmpty()
                .allSatisfy(
                        o -> {
                            assertThat(o.reason()).isEqualTo("RelayConfigFull");
                            assertThat(o.message())
                                    .contains("credentials", "of the 70 bytes")
                                    .doesNotContain("pw");
                            assertThat(o.route().name())
                                    .isGreaterThan(accepted.get(accepted.size() - 1));
                        });
        String credentialLines =
                plan.config()
                        .orElseThrow()
                        .saslPasswd()
                        .lines()
                        .filter(l -> !l.startsWith("#"))
                        .map(l -> l + "\n")
                        .collect(java.util.stream.Collectors.joining());
        assertThat(credentialLines).isNotEmpty();
        assertThat(credentialLines.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(70);
    }

    @Test
    void renderedBytesBoundTheRenderedFiles() {
        MailRoute route = bigRoute("r", "2026-01-01T00:00:00Z", 30);
        route.getSpec().target.hosts =
                List.of(
                        new io.mailroute.api.v1alpha1.NextHopHost("mx1.example.test", 25, false),
                        new io.mailroute.api.v1alpha1.NextHopHost("mx2.example.test", 25, true));
        TranslatedRoute translated;
        try {
            translated =
                    new RouteTranslator(new io.mailroute.validation.RenderPolicy(3))
                            .translate(route, NO_INPUTS);
        } catch (RouteRejectedException e) {
            throw new AssertionError(e);
        }
        io.mailroute.postfix.RelaySettings settings =
                new io.mailroute.postfix.RelaySettings(
                        "mail/relay",
                        "relay.example",
                        List.of(),
                        new io.mailroute.postfix.DefaultRouteRule.DeliverByMx());
        PostfixConfig config = new PostfixRenderer().render(settings, translated.rules());
        long bound =
                PostfixRenderer.baseBytes(settings)
                        + translated.rules().stream()
                                .mapToLong(PostfixRenderer::renderedBytes)
                                .sum();
        long actual =
                (config.mainCf() + config.transport() + config.tlsPolicy() + config.saslPasswd())
                        .getBytes()
                        .length;
        assertThat(bound).isGreaterThanOrEqualTo(actual).isLessThan(actual * 2);
    }

    /**
     * Hardening item 4: the translator and RelaySettings both normalized acceptFrom, so IPv6 was
     * always refused.
     */
    @Test
    void ipv6AcceptFromIsAcceptedAndRenderedInPostfixSyntax() {
        relay.getSpec().acceptFrom = List.of("10.0.0.0/8", "2001:db8::/32", "fd00:10::/64");
        RelayPlan plan = planner.plan(relay, List.of(), NO_INPUTS);
        assertThat(plan.errorMessage()).isNull();
        assertThat(plan.config().orElseThrow().mainCf())
                .contains(
                        "\nmynetworks = 127.0.0.0/8 [::1]/128 10.0.0.0/8 [2001:db8::]/32 [fd00:10::]/64\n");
    }

    /** Hardening item 3: two half-networks are the whole IPv4 internet; refused like 0.0.0.0/0. */
    @Test
    void networksThatTogetherCoverTheInternetMakeTheRelayInvalid() {
        relay.getSpec().acceptFrom = List.of("0.0.0.0/1", "128.0.0.0/1");
        MailRoute route =
                Resources.pinnedRoute("mail", "r", "relay", "mx.example.test", "example.com");
        RelayPlan plan = planner.plan(relay, List.of(route), NO_INPUTS);
        assertThat(plan.config()).isEmpty();
        assertThat(plan.errorReason()).isEqualTo("InvalidRelay");
        assertThat(plan.errorMessage())
                .startsWith("spec.acceptFrom: together the networks cover ")
                .contains("at most 65536 (a /16) are allowed");
    }

    /**
     * Hardening item 11, operator path: the CRD does not require key/operator, so the planner must
     * refuse it.
     */
    @Test
    void selectorRequirementWithoutOperatorMakesTheRelayInvalidInsteadOfThrowing() {
        relay.getSpec().allowedRoutes = new AllowedRoutes();
        relay.getSpec().allowedRoutes.from = AllowedRoutes.From.Selector;
        relay.getSpec().allowedRoutes.selector =
                new LabelSelectorBuilder()
                        .addNewMatchExpression()
                        .withKey("team")
                        .withValues("a")
                        .endMatchExpression()
                        .build();
        MailRoute route =
                Resources.pinnedRoute("shop", "r", "relay", "mx.example.test", "shop.example");
        route.getSpec().relayRefs.get(0).namespace = "mail";
        RelayPlan plan = planner.plan(relay, List.of(route), NO_INPUTS);
        assertThat(plan.errorReason()).isEqualTo("InvalidRelay");
        assertThat(plan.errorMessage())
                .isEqualTo(
                        "spec.allowedRoutes.selector.matchExpressions[0].operator: "
                                + "must be one of In, NotIn, Exists, DoesNotExist");
    }

    /**
     * Hardening item 11, operator path: a Secret that cannot be decoded rejects the route that uses
     * it.
     */
    @Test
    void undecodableSecretRejectsTheRouteNamingSecretAndKey() {
        MailRoute route =
                Resources.pinnedRoute("mail", "r", "relay", "mx.example.test", "example.com");
        route.getSpec().target.hosts = null;
        route.getSpec().target.relay = new SmarthostTarget();
        route.getSpec().target.relay.host = "smtp.example.net";
        route.getSpec().target.relay.authSecretRef = new SecretKeys();
        route.getSpec().target.relay.authSecretRef.name = "creds";
        io.fabric8.kubernetes.api.model.Secret secret =
                new io.fabric8.kubernetes.api.model.SecretBuilder()
                        .withNewMetadata()
                        .withNamespace("mail")
                        .withName("creds")
                        .addToLabels(CredentialSecrets.LABEL, "true")
                        .endMetadata()
                        .addToData("username", "dXNlcg==")
                        .addToData("password", "not base64!")
                        .build();
        RouteInputs inputs =
                new RouteInputs() {
                    @Override
                    public Map<String, String> namespaceLabels(String namespace) {
                        return Map.of();
                    }

                    @Override
                    public Optional<SecretInput> secret(String namespace, String name) {
                        return Optional.of(SecretInput.of(secret));
                    }
                };
        RouteOutcome outcome =
                planner.plan(relay, List.of(route), inputs)
                        .outcome(ResourceKey.of(route))
                        .orElseThrow();
        assertThat(outcome.reason()).isEqualTo("InvalidSecret");
        assertThat(outcome.message())
                .isEqualTo(
                        "Secret mail/creds: data.password: not valid base64 "
                                + "(the value is not shown)");
    }

    @Test
    void nullHostEntryRejectsTheRoute() {
        MailRoute route =
                Resources.pinnedRoute("mail", "r", "relay", "mx.example.test", "example.com");
        route.getSpec().target.hosts = new java.util.ArrayList<>(route.getSpec().target.hosts);
        route.getSpec().target.hosts.add(null);
        RouteOutcome outcome =
                planner.plan(relay, List.of(route), NO_INPUTS)
                        .outcome(ResourceKey.of(route))
                        .orElseThrow();
        assertThat(outcome.reason()).isEqualTo("InvalidTarget");
        assertThat(outcome.message()).isEqualTo("spec.target.hosts[1]: must not be null");
    }

    /**
     * Status reports, per domain, the value of the domain's line in the rendered transport map and
     * lists routes in namespace/name order: checked on a mixed relay (several namespaces whose
     * names prefix each other, subdomain trees, conflicts, several next hops, MX delivery,
     * credentials, withheld and invalid domains).
     */
    @Test
    void outcomesMatchTheRenderedTransportMapAndComeInRouteOrder() {
        MailRelay all = Resources.relayAllowingAll("mail", "relay");
        java.util.Random random = new java.util.Random(3);
        String[] namespaces = {"mail", "mail-b", "mail.b", "mai", "m"};
        List<MailRoute> routes = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String namespace = namespaces[random.nextInt(namespaces.length)];
            MailRoute route =
                    Resources.pinnedRoute(
                            namespace,
                            "r" + i,
                            "relay",
                            "mx" + random.nextInt(5) + ".example.test",
                            "d" + random.nextInt(200) + ".example.com");
            route.getSpec().relayRefs =
                    List.of(new io.mailroute.api.v1alpha1.RelayRef("relay", "mail"));
            created(route, "2026-01-01T00:00:" + (10 + random.nextInt(50)) + "Z");
            switch (random.nextInt(6)) {
                case 0 -> route.getSpec().includeSubdomains = true;
                case 1 ->
                        route.getSpec().domains =
                                List.of(
                                        "x.d" + random.nextInt(200) + ".example.com",
                                        "Y" + i + ".example.com",
                                        "bad_" + i + ".example.com");
                case 2 ->
                        route.getSpec().target.hosts =
                                List.of(
                                        new io.mailroute.api.v1alpha1.NextHopHost(
                                                "mx" + i + ".example.test", 2525, true),
                                        new io.mailroute.api.v1alpha1.NextHopHost(
                                                "2001:DB8::" + i, 25, false));
                case 3 -> {
                    route.getSpec().target.hosts = null;
                    route.getSpec().target.mx = new io.mailroute.api.v1alpha1.MxTarget();
                    route.getSpec().validation = io.mailroute.api.v1alpha1.ValidationPolicy.Off;
                }
                case 4 -> {
                    route.getSpec().target.hosts = null;
                    route.getSpec().target.mx = new io.mailroute.api.v1alpha1.MxTarget();
                }
                default -> {}
            }
            routes.add(route);
        }
        routes.add(smarthostRoute("smart", "good"));
        RelayPlan plan = planner.plan(all, routes, NO_INPUTS);
        Map<String, String> written = RelayPlanner.transportValues(plan.config().orElseThrow());

        List<String> order = plan.routes().keySet().stream().map(ResourceKey::toString).toList();
        assertThat(order).hasSize(routes.size()).isSorted();
        Map<DomainOutcome.State, Integer> states =
                new java.util.EnumMap<>(DomainOutcome.State.class);
        for (RouteOutcome outcome : plan.routes().values()) {
            for (DomainOutcome domain : outcome.domains()) {
                states.merge(domain.state(), 1, Integer::sum);
                if (domain.state() == DomainOutcome.State.Programmed) {
                    assertThat(domain.nextHop())
                            .as(domain.domain())
                            .isEqualTo(written.get(domain.domain()));
                }
            }
        }
        long programmed =
                written.keySet().stream().filter(domain -> !domain.startsWith(".")).count();
        assertThat(states.get(DomainOutcome.State.Programmed)).isEqualTo((int) programmed);
        assertThat(states).containsKeys(DomainOutcome.State.Conflict, DomainOutcome.State.Withheld);
        assertThat(plan.routes().values()).anyMatch(outcome -> !outcome.accepted());
    }

    /**
     * The hand-written scanner of the transport map reads every line as the regular expression it
     * replaced did (whitespace of any kind, comments, blank lines).
     */
    @Test
    void parseTransportReadsLinesAsSplittingOnWhitespaceDoes() {
        java.util.Random random = new java.util.Random(11);
        String[] pieces = {
            "a",
            "b.example",
            "smtp:[x]:25",
            " ",
            "  ",
            "\t",
            "\f",
            "\u000B",
            "\r",
            "#",
            "\n",
            "\n",
            "\u2003",
            "\u00a0",
            ",",
            ".",
            "\u001C"
        };
        for (int n = 0; n < 2_000; n++) {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(40); i > 0; i--) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            String transport = text.toString();
            assertThat(RelayPlanner.parseTransport(transport))
                    .as("%s", transport)
                    .isEqualTo(parsedByRegex(transport));
        }
    }

    /** How parseTransport read the map before it scanned by hand. */
    private static Map<String, String> parsedByRegex(String transport) {
        Map<String, String> values = new java.util.TreeMap<>();
        for (String line : transport.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String[] keyAndValue = trimmed.split("\\s+", 2);
            if (keyAndValue.length == 2) {
                values.put(keyAndValue[0], keyAndValue[1]);
            }
        }
        return values;
    }
}
