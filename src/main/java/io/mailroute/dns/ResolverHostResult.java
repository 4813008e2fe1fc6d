package io.mailroute.dns;

import java.util.List;

/**
 * How one resolver resolved one host name to addresses (A and AAAA).
 *
 * @param server the resolver, "ip:port"
 * @param host the host name, lower case, without final dot
 * @param status the outcome
 * @param addressCount number of distinct addresses
 * @param addresses IPv4 and IPv6 addresses, sorted
 * @param tcpNeeded an answer was truncated over UDP and had to be fetched over TCP
 * @param cnameChain host followed by each CNAME target; empty when the host is no alias
 * @param warnings problems that do not stop delivery
 * @param errors problems that stop delivery to this host
 * @param minTtlSeconds when the answers used expire; 0 if any part failed temporarily
 * @param queries every DNS question asked
 */
public record ResolverHostResult(
        String server,
        String host,
        HostStatus status,
        int addressCount,
        List<String> addresses,
        boolean tcpNeeded,
        List<String> cnameChain,
        List<String> warnings,
        List<String> errors,
        long minTtlSeconds,
        List<QueryTrace> queries) {

    public ResolverHostResult {
        addresses = List.copyOf(addresses);
        cnameChain = List.copyOf(cnameChain);
        warnings = List.copyOf(warnings);
        errors = List.copyOf(errors);
        queries = List.copyOf(queries);
    }

    /** The same result served later from kept answers: the TTL is then the remaining one. */
    ResolverHostResult withMinTtl(long seconds) {
        return new ResolverHostResult(
                server,
                host,
                status,
                addressCount,
                addresses,
                tcpNeeded,
                cnameChain,
                warnings,
                errors,
                seconds,
                queries);
    }
}
