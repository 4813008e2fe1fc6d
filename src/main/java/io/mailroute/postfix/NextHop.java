package io.mailroute.postfix;

/**
 * One SMTP next-hop destination.
 *
 * <p>With {@code lookupMx} Postfix looks up the MX records of {@code host} and connects to them on
 * {@code port}; without it Postfix connects to the address records of {@code host} itself (or to
 * the IP literal), written in brackets. The host is stored normalized (see {@link
 * DomainNames#normalizeHost}).
 *
 * @param host domain name or IP literal, without brackets
 * @param port TCP port, 1..65535
 * @param lookupMx whether to look up MX records for {@code host}; only possible for domain names
 */
public record NextHop(String host, int port, boolean lookupMx) {

    /** Field name used in errors when the record is built directly instead of via {@link #of}. */
    private static final String DEFAULT_FIELD = "nextHop";

    /** Validates and normalizes; errors are reported under the field {@code nextHop}. */
    public NextHop {
        host = validHost(DEFAULT_FIELD, host, port, lookupMx);
    }

    /**
     * Builds a next hop, reporting invalid input under {@code field}, e.g. {@code nextHops[0]}.
     *
     * @throws PostfixInputException when any part is invalid
     */
    public static NextHop of(String field, String host, int port, boolean lookupMx) {
        return new NextHop(validHost(field, host, port, lookupMx), port, lookupMx);
    }

    /**
     * The destination as Postfix writes it in a transport map or {@code relayhost}: {@code
     * host:port} with MX lookup, {@code [host]:port} without, {@code [ipv6:2001:db8::1]:port} for
     * IPv6 literals.
     */
    public String postfixDestination() {
        if (lookupMx) {
            return host + ":" + port;
        }
        String bracketed = host.indexOf(':') >= 0 ? "ipv6:" + host : host;
        return "[" + bracketed + "]:" + port;
    }

    private static String validHost(String field, String host, int port, boolean lookupMx) {
        String normalized = DomainNames.normalizeHost(field, host);
        if (port < 1 || port > 65535) {
            throw new PostfixInputException(
                    field, "port " + port + " is out of range, it must be 1 to 65535");
        }
        if (lookupMx && DomainNames.isIpLiteral(normalized)) {
            throw new PostfixInputException(
                    field, "MX lookup is not possible for the IP address " + normalized);
        }
        return normalized;
    }
}
