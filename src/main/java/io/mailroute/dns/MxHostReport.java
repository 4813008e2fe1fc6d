package io.mailroute.dns;

import java.util.List;

/**
 * One mail exchanger of a domain and where it leads.
 *
 * @param host the exchange name, lower case, without final dot
 * @param preference the MX preference (0 for the implicit MX)
 * @param implicit the domain has no MX and this is the domain itself (RFC 5321 5.1)
 * @param status whether the host resolves
 * @param addressCount number of distinct addresses
 * @param addresses IPv4 and IPv6 addresses, sorted
 * @param tcpNeeded an answer was truncated over UDP and had to be fetched over TCP
 * @param cnameChain host followed by each CNAME target; empty when the host is no alias
 * @param warnings problems that do not stop delivery to this host
 * @param errors problems that stop delivery to this host
 */
public record MxHostReport(
        String host,
        int preference,
        boolean implicit,
        HostStatus status,
        int addressCount,
        List<String> addresses,
        boolean tcpNeeded,
        List<String> cnameChain,
        List<String> warnings,
        List<String> errors) {

    public MxHostReport {
        addresses = List.copyOf(addresses);
        cnameChain = List.copyOf(cnameChain);
        warnings = List.copyOf(warnings);
        errors = List.copyOf(errors);
    }
}
