package io.mailroute.postfix;

/**
 * Where mail goes when no {@link TransportRule} matches the recipient domain: either straight to
 * the recipient domain's MX hosts, or to a smarthost ({@code relayhost}).
 */
public sealed interface DefaultRouteRule
        permits DefaultRouteRule.DeliverByMx, DefaultRouteRule.Smarthost {

    /**
     * Deliver unmatched mail by MX lookup of the recipient domain ({@code relayhost} stays empty).
     */
    record DeliverByMx() implements DefaultRouteRule {}

    /**
     * Send unmatched mail to one relay host.
     *
     * @param nextHop the relay; rendered as {@code relayhost}
     * @param tls TLS policy towards the relay
     * @param sasl credentials for the relay, or null; need mandatory TLS
     */
    record Smarthost(NextHop nextHop, TlsLevel tls, SaslCredentials sasl)
            implements DefaultRouteRule {

        /** Validates the combination of settings. */
        public Smarthost {
            if (nextHop == null) {
                throw new PostfixInputException("nextHop", "must be set");
            }
            if (tls == null) {
                throw new PostfixInputException("tls", "must be set");
            }
            if (sasl != null) {
                TransportRule.checkSasl(false, tls);
            }
        }
    }
}
