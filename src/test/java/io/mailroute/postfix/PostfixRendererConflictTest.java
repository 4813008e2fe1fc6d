package io.mailroute.postfix;

import static io.mailroute.postfix.Routes.SECRET;
import static io.mailroute.postfix.Routes.pinned;
import static io.mailroute.postfix.Routes.relay;
import static io.mailroute.postfix.Routes.rule;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PostfixRendererConflictTest {

    private final PostfixRenderer renderer = new PostfixRenderer();

    @Test
    void rejectsADomainClaimedByTwoSourcesNamingBothInAnyOrder() {
        TransportRule first =
                rule(
                        "outlook.com",
                        false,
                        TlsLevel.MAY,
                        "team-b/route",
                        pinned("outlook-com.olc.protection.outlook.com"));
        TransportRule second = rule("Outlook.COM.", true, TlsLevel.MAY, "team-a/route");
        String expected = "domain: \"outlook.com\" is routed by both team-a/route and team-b/route";

        assertThatThrownBy(() -> renderer.render(relay(), List.of(first, second)))
                .isInstanceOf(PostfixInputException.class)
                .hasMessage(expected);
        assertThatThrownBy(() -> renderer.render(relay(), List.of(second, first)))
                .hasMessage(expected);
    }

    @Test
    void rejectsADomainListedTwiceBySameSource() {
        assertThatThrownBy(
                        () ->
                                renderer.render(
                                        relay(),
                                        List.of(
                                                rule("example.com", true, TlsLevel.MAY, "ns/r"),
                                                rule("example.com", true, TlsLevel.MAY, "ns/r"))))
                .hasMessage("domain: \"example.com\" is routed twice by ns/r");
    }

    @Test
    void allowsASubdomainNextToAParentWithSubdomains() {
        renderer.render(
                relay(),
                List.of(
                        rule("example.com", true, TlsLevel.MAY, "ns/parent"),
                        rule(
                                "eu.example.com",
                                false,
                                TlsLevel.VERIFY,
                                "ns/child",
                                pinned("mx.eu.example.com"))));
    }

    @Test
    void rejectsConflictingTlsPoliciesForASharedNextHop() {
        TransportRule verify =
                rule("b.example", false, TlsLevel.VERIFY, "ns/b", pinned("mx.example.net"));
        TransportRule may =
                rule("a.example", false, TlsLevel.MAY, "ns/a", pinned("mx.example.net"));
        String expected =
                "tls: next hop [mx.example.net]:25 gets TLS policy may from ns/a (a.example) "
                        + "but verify from ns/b (b.example)";

        assertThatThrownBy(() -> renderer.render(relay(), List.of(verify, may)))
                .isInstanceOf(PostfixInputException.class)
                .hasMessage(expected);
        assertThatThrownBy(() -> renderer.render(relay(), List.of(may, verify)))
                .hasMessage(expected);
    }

    @Test
    void rejectsARuleThatSharesTheSmarthostWithAnotherTlsPolicy() {
        DefaultRouteRule smarthost =
                new DefaultRouteRule.Smarthost(
                        new NextHop("smtp.example.com", 587, false), TlsLevel.VERIFY, null);
        assertThatThrownBy(
                        () ->
                                renderer.render(
                                        relay(smarthost),
                                        List.of(
                                                rule(
                                                        "a.example",
                                                        false,
                                                        TlsLevel.MAY,
                                                        "ns/a",
                                                        new NextHop(
                                                                "smtp.example.com", 587, false)))))
                .hasMessage(
                        "tls: next hop [smtp.example.com]:587 gets TLS policy verify from "
                                + "mail/relay (default route) but may from ns/a (a.example)");
    }

    @Test
    void rejectsDifferentCredentialsForASharedNextHopWithoutShowingThem() {
        NextHop hop = new NextHop("smtp.example.com", 587, false);
        TransportRule a =
                new TransportRule(
                        "a.example",
                        false,
                        List.of(hop),
                        TlsLevel.ENCRYPT,
                        new SaslCredentials("alice", SECRET),
                        "ns/a");
        TransportRule b =
                new TransportRule(
                        "b.example",
                        false,
                        List.of(hop),
                        TlsLevel.ENCRYPT,
                        new SaslCredentials("bob", "other-" + SECRET),
                        "ns/b");

        assertThatThrownBy(() -> renderer.render(relay(), List.of(b, a)))
                .isInstanceOf(PostfixInputException.class)
                .hasMessage(
                        "sasl: next hop [smtp.example.com]:587 is used with different credentials "
                                + "by ns/a (a.example) and ns/b (b.example)")
                .hasMessageNotContaining(SECRET)
                .hasMessageNotContaining("alice");
    }

    @Test
    void rejectsUsingAnotherRoutesCredentialsByAccident() {
        NextHop hop = new NextHop("smtp.example.com", 587, false);
        TransportRule withCredentials =
                new TransportRule(
                        "a.example",
                        false,
                        List.of(hop),
                        TlsLevel.ENCRYPT,
                        new SaslCredentials("alice", SECRET),
                        "ns/a");
        TransportRule without =
                new TransportRule(
                        "b.example", false, List.of(hop), TlsLevel.ENCRYPT, null, "other/b");
        String expected =
                "sasl: next hop [smtp.example.com]:587 is used with credentials by ns/a (a.example) "
                        + "and without credentials by other/b (b.example)";

        assertThatThrownBy(() -> renderer.render(relay(), List.of(without, withCredentials)))
                .hasMessage(expected)
                .hasMessageNotContaining(SECRET);
        TransportRule withoutFirst =
                new TransportRule(
                        "0.example", false, List.of(hop), TlsLevel.ENCRYPT, null, "other/b");
        assertThatThrownBy(() -> renderer.render(relay(), List.of(withCredentials, withoutFirst)))
                .hasMessage(
                        "sasl: next hop [smtp.example.com]:587 is used with credentials by ns/a (a.example) "
                                + "and without credentials by other/b (0.example)");
    }

    @Test
    void rejectsNullRules() {
        assertThatThrownBy(
                        () ->
                                renderer.render(
                                        relay(), java.util.Arrays.asList(rule("a.example"), null)))
                .hasMessage("rules[1]: must not be empty");
        assertThatThrownBy(() -> renderer.render(null, List.of())).hasMessage("relay: must be set");
    }
}
