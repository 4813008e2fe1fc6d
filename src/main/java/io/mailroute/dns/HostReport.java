package io.mailroute.dns;

import java.time.Instant;
import java.util.List;

/**
 * Whether a next-hop host (e.g. a pinned relay) resolves, from every configured resolver. The
 * top-level fields come from the first resolver that gave a definitive answer (config order).
 *
 * @param host the host, lower case, ASCII (IDNA), without final dot
 * @param status whether it resolves (IP_LITERAL: the host is an address, nothing looked up)
 * @param addressCount number of distinct addresses
 * @param addresses IPv4 and IPv6 addresses, sorted
 * @param tcpNeeded an answer was truncated over UDP and had to be fetched over TCP
 * @param cnameChain host followed by each CNAME target; empty when the host is no alias
 * @param warnings problems that do not stop delivery
 * @param errors problems that stop delivery, or why there is no definitive answer
 * @param disagreement whether resolvers answered differently
 * @param disagreements human-readable differences between resolvers
 * @param resolvers each resolver's result, in config order
 * @param minTtlSeconds seconds until the first answer used expires (0 after a temporary failure)
 * @param checkedAt when the check finished, ISO-8601 UTC (e.g. "2030-01-01T00:00:00Z")
 */
public record HostReport(
        String host,
        HostStatus status,
        int addressCount,
        List<String> addresses,
        boolean tcpNeeded,
        List<String> cnameChain,
        List<String> warnings,
        List<String> errors,
        boolean disagreement,
        List<String> disagreements,
        List<ResolverHostResult> resolvers,
        long minTtlSeconds,
        String checkedAt) {

    public HostReport {
        addresses = List.copyOf(addresses);
        cnameChain = List.copyOf(cnameChain);
        warnings = List.copyOf(warnings);
        errors = List.copyOf(errors);
        disagreements = List.copyOf(disagreements);
        resolvers = List.copyOf(resolvers);
    }

    static HostReport assemble(String host, List<ResolverHostResult> results, Instant checkedAt) {
        ResolverHostResult primary =
                results.stream()
                        .filter(r -> r.status() != HostStatus.TEMPFAIL)
                        .findFirst()
                        .orElse(results.get(0));
        List<String> disagreements = Disagreements.ofHost(host, results);
        long ttl = results.stream().mapToLong(ResolverHostResult::minTtlSeconds).min().orElse(0);
        return new HostReport(
                host,
                primary.status(),
                primary.addressCount(),
                primary.addresses(),
                primary.tcpNeeded(),
                primary.cnameChain(),
                primary.warnings(),
                primary.errors(),
                !disagreements.isEmpty(),
                disagreements,
                results,
                ttl,
                IsoInstant.of(checkedAt));
    }
}
