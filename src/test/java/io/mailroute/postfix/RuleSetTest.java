package io.mailroute.postfix;

import static io.mailroute.postfix.Routes.pinned;
import static io.mailroute.postfix.Routes.relay;
import static io.mailroute.postfix.Routes.rule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleSetTest {

    @Test
    void aRouteWithOneConflictingRuleIsRefusedWholeAndLeavesNoClaims() {
        RuleSet set = new RuleSet(relay());
        set.addAll(
                List.of(
                        rule(
                                "a.example",
                                false,
                                TlsLevel.VERIFY,
                                "ns/a",
                                pinned("mx.shared.example"))));
        List<TransportRule> refused =
                List.of(
                        rule("b.example", false, TlsLevel.ENCRYPT, "ns/b", pinned("mx.b.example")),
                        rule(
                                "c.example",
                                false,
                                TlsLevel.MAY,
                                "ns/b",
                                pinned("mx.shared.example")));

        assertThatThrownBy(() -> set.addAll(refused))
                .isInstanceOf(PostfixInputException.class)
                .hasMessage(
                        "tls: next hop [mx.shared.example]:25 gets TLS policy verify from ns/a (a.example) "
                                + "but may from ns/b (c.example)");

        // neither b.example nor the next hop mx.b.example with policy encrypt was kept
        set.addAll(
                List.of(
                        rule(
                                "b.example",
                                false,
                                TlsLevel.MAY,
                                "ns/later",
                                pinned("mx.b.example"))));
        assertThat(set.rules())
                .extracting(TransportRule::domain)
                .containsExactly("a.example", "b.example");
    }

    @Test
    void duplicatesAreWordedAsTheRendererWordsThem() {
        RuleSet set = new RuleSet(relay());
        set.addAll(List.of(rule("outlook.com", false, TlsLevel.MAY, "team-b/route")));

        assertThatThrownBy(
                        () ->
                                set.addAll(
                                        List.of(
                                                rule(
                                                        "Outlook.COM.",
                                                        true,
                                                        TlsLevel.MAY,
                                                        "team-a/route"))))
                .hasMessage(
                        "domain: \"outlook.com\" is routed by both team-a/route and team-b/route");
        assertThatThrownBy(
                        () ->
                                set.addAll(
                                        List.of(
                                                rule("example.com", true, TlsLevel.MAY, "ns/r"),
                                                rule("example.com", true, TlsLevel.MAY, "ns/r"))))
                .hasMessage("domain: \"example.com\" is routed twice by ns/r");
        assertThat(set.rules()).extracting(TransportRule::domain).containsExactly("outlook.com");
    }

    @Test
    void theSmarthostsClaimsApplyToEveryRoute() {
        DefaultRouteRule smarthost =
                new DefaultRouteRule.Smarthost(
                        new NextHop("smtp.example.com", 587, false), TlsLevel.VERIFY, null);
        RuleSet set = new RuleSet(relay(smarthost));

        assertThatThrownBy(
                        () ->
                                set.addAll(
                                        List.of(
                                                rule(
                                                        "a.example",
                                                        false,
                                                        TlsLevel.MAY,
                                                        "ns/a",
                                                        new NextHop(
                                                                "smtp.example.com", 587, false)))))
                .hasMessageStartingWith(
                        "tls: next hop [smtp.example.com]:587 gets TLS policy verify");
    }

    @Test
    void admittedRulesRenderExactlyAsRenderingThemAtOnce() {
        List<List<TransportRule>> routes = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            routes.add(
                    List.of(
                            rule(
                                    "d" + i + ".example",
                                    i % 2 == 0,
                                    TlsLevel.MAY,
                                    "ns/r" + i,
                                    pinned("mx" + (i % 7) + ".example.net"))));
        }
        RuleSet set = new RuleSet(relay());
        routes.forEach(set::addAll);
        List<TransportRule> all = routes.stream().flatMap(List::stream).toList();

        PostfixRenderer renderer = new PostfixRenderer();
        assertThat(renderer.render(relay(), set.rules()).hash("k"))
                .isEqualTo(renderer.render(relay(), all).hash("k"));
        assertThat(set.rules()).hasSize(50);
    }

    /**
     * A rule set renders what the renderer renders from its rules, though it reuses the TLS
     * policies and credentials it claimed while admitting them (in admission order, not sorted):
     * random routes with shared next hops, credentials (one password not ASCII), DANE, MX delivery,
     * subdomains and a smarthost, some refused for conflicting claims.
     */
    @Test
    void rendersWhatTheRendererRendersFromItsRules() {
        SaslCredentials smarthostLogin = SaslCredentials.of("relay", "relay-user", Routes.SECRET);
        RelaySettings relay =
                relay(
                        new DefaultRouteRule.Smarthost(
                                new NextHop("smtp.example.net", 587, false),
                                TlsLevel.ENCRYPT,
                                smarthostLogin));
        java.util.Random random = new java.util.Random(7);
        TlsLevel[] levels = TlsLevel.values();
        RuleSet set = new RuleSet(relay);
        int refused = 0;
        for (int route = 0; route < 400; route++) {
            List<TransportRule> rules = new ArrayList<>();
            for (int domain = random.nextInt(3); domain >= 0; domain--) {
                TlsLevel tls = levels[random.nextInt(levels.length)];
                List<NextHop> hops = new ArrayList<>();
                for (int hop = random.nextInt(3); hop > 0; hop--) {
                    NextHop next =
                            new NextHop("mx" + random.nextInt(12) + ".example.org", 25, hop == 2);
                    if (!hops.contains(next)) {
                        hops.add(next);
                    }
                }
                SaslCredentials sasl =
                        !hops.isEmpty() && tls.isMandatory() && random.nextBoolean()
                                ? SaslCredentials.of("sasl", "user" + random.nextInt(2), "pässword")
                                : null;
                rules.add(
                        new TransportRule(
                                "d" + random.nextInt(1000) + ".example.com",
                                random.nextInt(4) == 0,
                                hops,
                                tls,
                                sasl,
                                "ns/r" + route));
            }
            try {
                set.addAll(rules);
            } catch (PostfixInputException e) {
                refused++;
            }
        }
        PostfixConfig viaSet = set.render(new PostfixRenderer());
        PostfixConfig viaRenderer = new PostfixRenderer().render(relay, set.rules());
        assertThat(viaSet).isEqualTo(viaRenderer);
        // the comparison covered conflicts, credentials and many policy lines
        assertThat(refused).isBetween(20, 380);
        assertThat(viaSet.saslPasswd().lines().count()).isGreaterThan(4);
        assertThat(viaSet.tlsPolicy().lines().count()).isGreaterThan(20);
    }
}
