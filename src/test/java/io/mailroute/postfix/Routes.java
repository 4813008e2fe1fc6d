package io.mailroute.postfix;

import java.util.List;

/** Short builders for test routes. */
final class Routes {

    static final String SECRET = "Sup3r-Secret!";

    private Routes() {}

    static NextHop pinned(String host) {
        return new NextHop(host, 25, false);
    }

    static TransportRule rule(String domain, NextHop... hops) {
        return new TransportRule(
                domain, false, List.of(hops), TlsLevel.MAY, null, "mail/" + domain);
    }

    static TransportRule rule(
            String domain, boolean subdomains, TlsLevel tls, String source, NextHop... hops) {
        return new TransportRule(domain, subdomains, List.of(hops), tls, null, source);
    }

    static RelaySettings relay(DefaultRouteRule defaultRoute, String... acceptFrom) {
        return new RelaySettings(
                "mail/relay", "relay.example.com", List.of(acceptFrom), defaultRoute);
    }

    static RelaySettings relay() {
        return relay(new DefaultRouteRule.DeliverByMx());
    }

    /**
     * The four Microsoft consumer domains pinned to their protection hosts, as in the motivating
     * incident.
     */
    static List<TransportRule> microsoftConsumerDomains() {
        return List.of(
                rule("outlook.com", pinned("outlook-com.olc.protection.outlook.com")),
                rule("hotmail.com", pinned("hotmail-com.olc.protection.outlook.com")),
                rule("live.com", pinned("live-com.olc.protection.outlook.com")),
                rule("msn.com", pinned("msn-com.olc.protection.outlook.com")));
    }
}
