package io.mailroute.dns;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.Type;

/** Resolves a host name to its A and AAAA addresses on one server. */
final class HostLookup {

    private HostLookup() {}

    /** Looks up A and AAAA in parallel; IP literals are recognized and not looked up. */
    static CompletableFuture<ResolverHostResult> resolve(
            ServerResolver resolver, DomainName host, Deadline deadline) {
        ResolverHostResult kept = resolver.finishedHost(host);
        if (kept != null) {
            // 100 MX hosts serve 10,000 domains: combine their two answers once, not per domain
            return CompletableFuture.completedFuture(kept);
        }
        String display = host.text();
        Optional<String> literal = IpLiteral.parse(display);
        if (literal.isPresent()) {
            return CompletableFuture.completedFuture(
                    new ResolverHostResult(
                            resolver.server(),
                            display,
                            HostStatus.IP_LITERAL,
                            1,
                            List.of(literal.get()),
                            false,
                            List.of(),
                            List.of(),
                            List.of(),
                            0,
                            List.of()));
        }
        CompletableFuture<Resolution> v4 = resolver.resolve(host, Type.A, deadline);
        CompletableFuture<Resolution> v6 = resolver.resolve(host, Type.AAAA, deadline);
        return v4.thenCombine(
                v6,
                (a, aaaa) ->
                        resolver.rememberHost(
                                host, a, aaaa, combine(resolver.server(), display, a, aaaa)));
    }

    private static ResolverHostResult combine(
            String server, String host, Resolution a, Resolution aaaa) {
        TreeSet<String> addresses = new TreeSet<>();
        addresses.addAll(addresses(a));
        addresses.addAll(addresses(aaaa));
        List<String> warnings = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        HostStatus status;
        if (isCnameProblem(a) || isCnameProblem(aaaa)) {
            Resolution broken = isCnameProblem(a) ? a : aaaa;
            status =
                    broken.status() == LookupStatus.CNAME_LOOP
                            ? HostStatus.CNAME_LOOP
                            : HostStatus.CNAME_TOO_LONG;
            errors.add(broken.error());
        } else if (!addresses.isEmpty()) {
            status = HostStatus.RESOLVED;
            for (Resolution r : List.of(a, aaaa)) {
                if (r.status() == LookupStatus.TEMPFAIL) {
                    warnings.add(typeOf(r) + " lookup failed temporarily: " + r.error());
                }
            }
        } else if (a.status() == LookupStatus.TEMPFAIL || aaaa.status() == LookupStatus.TEMPFAIL) {
            status = HostStatus.TEMPFAIL;
            Resolution failed = a.status() == LookupStatus.TEMPFAIL ? a : aaaa;
            errors.add("address lookup failed temporarily: " + failed.error());
        } else if (a.status() == LookupStatus.NXDOMAIN || aaaa.status() == LookupStatus.NXDOMAIN) {
            status = HostStatus.NXDOMAIN;
            errors.add("host does not exist (NXDOMAIN)");
        } else {
            status = HostStatus.NO_ADDRESS;
            errors.add("host has neither A nor AAAA records");
        }
        List<String> chain = !a.cnameChain().isEmpty() ? a.cnameChain() : aaaa.cnameChain();
        List<QueryTrace> queries = new ArrayList<>(a.traces());
        queries.addAll(aaaa.traces());
        warnings.addAll(QueryTrace.shortenedWarnings(queries));
        return new ResolverHostResult(
                server,
                host,
                status,
                addresses.size(),
                List.copyOf(addresses),
                a.tcpUsed() || aaaa.tcpUsed(),
                chain,
                warnings,
                errors,
                Math.min(a.ttlSeconds(), aaaa.ttlSeconds()),
                queries);
    }

    private static boolean isCnameProblem(Resolution r) {
        return r.status() == LookupStatus.CNAME_LOOP || r.status() == LookupStatus.CNAME_TOO_LONG;
    }

    private static String typeOf(Resolution r) {
        return r.traces().isEmpty() ? "address" : r.traces().get(0).type();
    }

    private static List<String> addresses(Resolution r) {
        List<String> out = new ArrayList<>();
        for (Rr record : r.records()) {
            if (record.address != null) {
                out.add(record.address);
            }
        }
        return out;
    }
}
