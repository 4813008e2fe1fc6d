package io.mailroute.postfix;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Route for one recipient domain.
 *
 * <p>Empty {@code nextHops} means "deliver by MX lookup of the recipient domain itself": the
 * transport map gets {@code domain smtp:} (transport set, next hop empty), which per transport(5)
 * resets the next hop to the recipient domain, so a smarthost {@code relayhost} does not apply to
 * this domain. Several next hops are tried in order (Postfix 3.5+ next-hop lists).
 *
 * <p>The compact constructor normalizes {@code domain} and reports problems under generic field
 * names ({@code domain}, {@code nextHops}, {@code tls}, {@code sasl}, {@code source}); callers that
 * want precise paths can normalize first with {@link DomainNames#normalize}, {@link NextHop#of} and
 * {@link SaslCredentials#of}.
 *
 * @param domain recipient domain, normalized
 * @param includeSubdomains also route every subdomain ({@code .domain} entries)
 * @param nextHops destinations in order of preference; empty for the domain's own MX hosts
 * @param tls TLS policy towards every next hop (or the recipient domain's MX hosts)
 * @param sasl credentials for the next hops, or null; needs explicit next hops and mandatory TLS
 * @param source object that asked for the route, e.g. {@code ns/route-name}, used in comments and
 *     errors
 * @param sending how the route sends; anything but {@link TransportSettings#DEFAULT} gives the
 *     route a transport of its own (null: the default)
 */
public record TransportRule(
        String domain,
        boolean includeSubdomains,
        List<NextHop> nextHops,
        TlsLevel tls,
        SaslCredentials sasl,
        String source,
        TransportSettings sending) {

    /** A rule on the shared smtp transport. */
    public TransportRule(
            String domain,
            boolean includeSubdomains,
            List<NextHop> nextHops,
            TlsLevel tls,
            SaslCredentials sasl,
            String source) {
        this(domain, includeSubdomains, nextHops, tls, sasl, source, TransportSettings.DEFAULT);
    }

    /** Validates and normalizes every component. */
    public TransportRule {
        source = Inputs.requireObjectName("source", source);
        domain = DomainNames.normalize("domain", domain);
        nextHops = copyNextHops(nextHops);
        if (tls == null) {
            throw new PostfixInputException("tls", "must be set");
        }
        if (sasl != null) {
            checkSasl(nextHops.isEmpty(), tls);
        }
        sending = sending == null ? TransportSettings.DEFAULT : sending;
        if (sending.implicitTls()) {
            checkImplicitTls(nextHops.isEmpty(), tls);
        }
    }

    /** The master.cf transport of this rule: its own when it has settings, else the shared smtp. */
    public String transport() {
        return sending.isDefault() ? "smtp" : TransportSettings.transportName(source);
    }

    /**
     * Implicit TLS is for a known smarthost or next hop on port 465: MX hosts of a recipient domain
     * listen on 25 with STARTTLS. Postfix needs a mandatory TLS level with wrappermode
     * (postconf(5), smtp_tls_wrappermode), and the TLS policy map entry of the next hop, which wins
     * over the transport's level, says that level.
     */
    static void checkImplicitTls(boolean noExplicitNextHop, TlsLevel tls) {
        if (noExplicitNextHop) {
            throw new PostfixInputException(
                    "delivery.implicitTls",
                    "needs explicit next hops (hosts or relay); MX hosts do not speak implicit TLS");
        }
        if (!tls.isMandatory()) {
            throw new PostfixInputException(
                    "delivery.implicitTls",
                    "needs TLS policy encrypt, verify or secure, not " + tls.postfixLevel());
        }
    }

    /**
     * True when mail goes to the MX hosts of the recipient domain rather than to explicit next
     * hops.
     */
    public boolean deliversByRecipientMx() {
        return nextHops.isEmpty();
    }

    /**
     * Rejects credentials that would go to arbitrary MX hosts or could be sent without encryption.
     */
    static void checkSasl(boolean noExplicitNextHop, TlsLevel tls) {
        if (noExplicitNextHop) {
            throw new PostfixInputException(
                    "sasl",
                    "credentials need an explicit next hop; they are never sent to a recipient domain's MX hosts");
        }
        if (!tls.isMandatory()) {
            throw new PostfixInputException(
                    "tls",
                    "TLS policy "
                            + tls.postfixLevel()
                            + " could send the password unencrypted; use encrypt, verify or secure with credentials");
        }
    }

    private static List<NextHop> copyNextHops(List<NextHop> nextHops) {
        if (nextHops == null) {
            return List.of();
        }
        if (nextHops.size() == 1) {
            // nothing to be listed twice with: skips building the destination (most rules)
            if (nextHops.get(0) == null) {
                throw new PostfixInputException("nextHops[0]", "must not be empty");
            }
            return List.copyOf(nextHops);
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < nextHops.size(); i++) {
            NextHop hop = nextHops.get(i);
            if (hop == null) {
                throw new PostfixInputException("nextHops[" + i + "]", "must not be empty");
            }
            if (!seen.add(hop.postfixDestination())) {
                throw new PostfixInputException(
                        "nextHops[" + i + "]",
                        "next hop " + hop.postfixDestination() + " is listed twice");
            }
        }
        return List.copyOf(nextHops);
    }
}
