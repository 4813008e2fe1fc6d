package io.mailroute.dns;

import java.time.Instant;
import java.util.List;

/**
 * Everything the DNS says about delivering mail to a domain, from every configured resolver. The
 * top-level fields come from the first resolver that gave a definitive answer (config order);
 * {@code resolvers} has each resolver's own view and {@code disagreements} where they differ.
 *
 * @param domain the checked domain, lower case, ASCII (IDNA), without final dot
 * @param classification what the MX lookup said
 * @param verdict one-word summary: PASS, WARN (warnings or disagreement), FAIL (errors), RETRY (no
 *     definitive answer, or every exchange failed only temporarily)
 * @param mxSet the MX records as preference groups
 * @param hosts the exchanges by preference, then name (for NODATA: the implicit MX)
 * @param warnings problems that do not stop delivery
 * @param errors problems that stop delivery, or why there is no definitive answer
 * @param disagreement whether resolvers answered differently
 * @param disagreements human-readable differences between resolvers
 * @param resolvers each resolver's result, in config order
 * @param minTtlSeconds seconds until the first answer used expires: check again then (0 after a
 *     temporary failure anywhere: retry with the caller's backoff)
 * @param checkedAt when the check finished, ISO-8601 UTC (e.g. "2030-01-01T00:00:00Z")
 */
public record MxReport(
        String domain,
        MxClassification classification,
        Verdict verdict,
        MxSet mxSet,
        List<MxHostReport> hosts,
        List<String> warnings,
        List<String> errors,
        boolean disagreement,
        List<String> disagreements,
        List<ResolverMxResult> resolvers,
        long minTtlSeconds,
        String checkedAt) {

    public MxReport {
        hosts = List.copyOf(hosts);
        warnings = List.copyOf(warnings);
        errors = List.copyOf(errors);
        disagreements = List.copyOf(disagreements);
        resolvers = List.copyOf(resolvers);
    }

    /**
     * Whether {@code host} (any case, trailing dot optional) is one of the domain's current mail
     * exchangers, including the implicit MX; e.g. to confirm that a pinned next hop is still an MX.
     */
    public boolean hasMxHost(String host) {
        String wanted = MxSet.normalize(host);
        return hosts.stream().anyMatch(h -> h.host().equals(wanted));
    }

    static MxReport assemble(String domain, List<ResolverMxResult> results, Instant checkedAt) {
        // loops rather than streams: this runs once per check
        ResolverMxResult primary = null;
        long ttl = Long.MAX_VALUE;
        for (ResolverMxResult r : results) {
            if (primary == null && r.classification() != MxClassification.TEMPFAIL) {
                primary = r;
            }
            ttl = Math.min(ttl, r.minTtlSeconds());
        }
        if (primary == null) {
            primary = results.get(0);
        }
        List<String> disagreements = Disagreements.ofMx(results);
        return new MxReport(
                domain,
                primary.classification(),
                verdict(primary, !disagreements.isEmpty()),
                primary.mxSet(),
                primary.hosts(),
                primary.warnings(),
                primary.errors(),
                !disagreements.isEmpty(),
                disagreements,
                results,
                ttl,
                IsoInstant.of(checkedAt));
    }

    /**
     * True when every error comes from an MX host that definitely leads nowhere (NXDOMAIN, no
     * address, CNAME loop or chain too long) and none from an IP literal or a host that resolved.
     * With another MX host resolving, mail is still delivered: a sending MTA tries the next MX host
     * (RFC 5321 section 5.1). So a dangling secondary MX is a warning, the same verdict the
     * operator gives (Resolved=True, reason SomeMxHostsUnresolvable). An IP literal stays a failure
     * in both (the operator's IpLiteralMx).
     */
    private static boolean onlyUnreachableHosts(ResolverMxResult primary) {
        return primary.hosts().stream()
                .noneMatch(
                        h ->
                                h.status() == HostStatus.IP_LITERAL
                                        || (h.status() == HostStatus.RESOLVED
                                                && !h.errors().isEmpty()));
    }

    private static Verdict verdict(ResolverMxResult primary, boolean disagreement) {
        if (primary.classification() == MxClassification.TEMPFAIL) {
            return Verdict.RETRY;
        }
        boolean anyResolved = false;
        boolean anyTemporary = false;
        for (MxHostReport h : primary.hosts()) {
            anyResolved |= h.status() == HostStatus.RESOLVED;
            anyTemporary |= h.status() == HostStatus.TEMPFAIL;
        }
        boolean routable =
                primary.classification() == MxClassification.OK
                        || primary.classification() == MxClassification.NODATA;
        if (routable && !anyResolved && anyTemporary) {
            return Verdict.RETRY;
        }
        if (!primary.errors().isEmpty()) {
            return routable && anyResolved && onlyUnreachableHosts(primary)
                    ? Verdict.WARN
                    : Verdict.FAIL;
        }
        return primary.warnings().isEmpty() && !disagreement ? Verdict.PASS : Verdict.WARN;
    }
}
