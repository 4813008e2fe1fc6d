package io.mailroute.dns;

import java.util.List;

/**
 * Result of resolving a name and type on one server.
 *
 * @param status the outcome
 * @param finalName the name at the end of the CNAME chain (the queried name without CNAMEs)
 * @param records records of the requested type at {@code finalName} (empty unless ANSWER)
 * @param cnameChain queried name followed by every CNAME target, empty when no CNAME was met
 * @param ttlSeconds smallest remaining lifetime of the answers used (0 on failure)
 * @param tcpUsed some answer needed TCP because UDP was truncated
 * @param traces every question asked, in order
 * @param error why the result is not definitive, or null
 */
record Resolution(
        LookupStatus status,
        DomainName finalName,
        List<Rr> records,
        List<String> cnameChain,
        long ttlSeconds,
        boolean tcpUsed,
        List<QueryTrace> traces,
        String error) {

    /** The same result served later: {@code ttlSeconds} is then the remaining lifetime. */
    Resolution withTtl(long seconds) {
        return new Resolution(
                status, finalName, records, cnameChain, seconds, tcpUsed, traces, error);
    }
}
