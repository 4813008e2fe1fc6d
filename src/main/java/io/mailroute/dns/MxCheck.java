package io.mailroute.dns;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.xbill.DNS.Type;

/**
 * Checks a domain's mail routing on one resolver: classifies the MX answer, then resolves every
 * exchange. A failed MX lookup ends the check as TEMPFAIL; only a definitive "no MX" (NODATA) leads
 * to the implicit MX.
 */
final class MxCheck implements Function<Resolution, CompletableFuture<ResolverMxResult>> {

    private final ServerResolver resolver;
    private final Deadline deadline;
    private final List<String> warnings = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();

    private MxCheck(ServerResolver resolver, Deadline deadline) {
        this.resolver = resolver;
        this.deadline = deadline;
    }

    /** Runs the check; the future always completes normally. */
    static CompletableFuture<ResolverMxResult> run(
            ServerResolver resolver, DomainName domain, Deadline deadline) {
        // the check is its own continuation: no lambda per check (MxLookupService says why)
        return resolver.resolve(domain, Type.MX, deadline)
                .thenCompose(new MxCheck(resolver, deadline));
    }

    @Override
    public CompletableFuture<ResolverMxResult> apply(Resolution mx) {
        return classify(mx);
    }

    private CompletableFuture<ResolverMxResult> classify(Resolution mx) {
        warnings.addAll(QueryTrace.shortenedWarnings(mx.traces()));
        // (shortenedWarnings gives List.of() in the usual case; addAll of it costs nothing)
        if (!mx.cnameChain().isEmpty()) {
            warnings.add("domain is an alias: " + String.join(" -> ", mx.cnameChain()));
        }
        switch (mx.status()) {
            case ANSWER:
                return exchanges(mx);
            case NODATA:
                warnings.add(
                        "no MX records: mail goes to the domain's own addresses "
                                + "(implicit MX, RFC 5321 5.1)");
                return hosts(
                        mx,
                        MxClassification.NODATA,
                        MxSet.empty(),
                        List.of(new Exchange(0, mx.finalName(), true)));
            case NXDOMAIN:
                errors.add("domain does not exist (NXDOMAIN)");
                return hosts(mx, MxClassification.NXDOMAIN, MxSet.empty(), List.of());
            default:
                errors.add(
                        "MX lookup failed: "
                                + mx.error()
                                + "; the domain's own A/AAAA records are not used as a fallback");
                return hosts(mx, MxClassification.TEMPFAIL, MxSet.empty(), List.of());
        }
    }

    private CompletableFuture<ResolverMxResult> exchanges(Resolution mx) {
        List<Rr> records = mx.records();
        int n = records.size();
        // the set straight from two arrays (MxSet says why no sorted map)
        int[] preferences = new int[n];
        String[] names = new String[n];
        List<Exchange> real = new ArrayList<>(n);
        int nulls = 0;
        int firstNullPriority = 0;
        for (int i = 0; i < n; i++) {
            Rr r = records.get(i);
            preferences[i] = r.preference;
            names[i] = r.target.text();
            if (r.target.isRoot()) {
                if (nulls++ == 0) {
                    firstNullPriority = r.preference;
                }
            } else {
                real.add(new Exchange(r.preference, r.target, false));
            }
        }
        MxSet set = MxSet.of(preferences, names, n);
        MxClassification classification = MxClassification.OK;
        if (nulls > 0 && real.isEmpty()) {
            classification = MxClassification.NULL_MX;
            errors.add("domain accepts no mail (null MX, RFC 7505)");
            if (nulls > 1 || firstNullPriority != 0) {
                warnings.add("null MX should be exactly one record with preference 0 (RFC 7505 3)");
            }
        } else if (nulls > 0) {
            classification = MxClassification.NULL_MX_MIXED;
            errors.add("null MX \".\" mixed with other MX records: misconfigured (RFC 7505 3)");
        }
        return hosts(mx, classification, set, real);
    }

    private CompletableFuture<ResolverMxResult> hosts(
            Resolution mx, MxClassification classification, MxSet set, List<Exchange> exchanges) {
        if (exchanges.size() == 1) {
            // the common single MX host: no map, no sorting, no allOf
            Exchange only = exchanges.get(0);
            return HostLookup.resolve(resolver, only.host(), deadline)
                    .thenApply(new Single(mx, classification, set, only));
        }
        Map<DomainName, CompletableFuture<ResolverHostResult>> lookups = new LinkedHashMap<>();
        exchanges.stream()
                .sorted(Comparator.comparing(Exchange::display))
                .forEach(
                        e ->
                                lookups.computeIfAbsent(
                                        e.host(), h -> HostLookup.resolve(resolver, h, deadline)));
        return CompletableFuture.allOf(lookups.values().toArray(CompletableFuture[]::new))
                .thenApply(
                        ignored -> {
                            List<QueryTrace> queries = new ArrayList<>(mx.traces());
                            lookups.values().forEach(f -> queries.addAll(f.join().queries()));
                            List<MxHostReport> reports =
                                    exchanges.stream()
                                            .map(e -> report(e, lookups.get(e.host()).join()))
                                            .sorted(
                                                    Comparator.comparingInt(
                                                                    MxHostReport::preference)
                                                            .thenComparing(MxHostReport::host))
                                            .toList();
                            summarize(classification, reports);
                            long ttl =
                                    lookups.values().stream()
                                            .map(CompletableFuture::join)
                                            .filter(h -> h.status() != HostStatus.IP_LITERAL)
                                            .mapToLong(ResolverHostResult::minTtlSeconds)
                                            .reduce(mx.ttlSeconds(), Math::min);
                            return new ResolverMxResult(
                                    resolver.server(),
                                    classification,
                                    set,
                                    reports,
                                    warnings,
                                    errors,
                                    ttl,
                                    queries);
                        });
    }

    /** {@link #single} as a continuation (a class, not a lambda: see {@link #run}). */
    private final class Single implements Function<ResolverHostResult, ResolverMxResult> {
        private final Resolution mx;
        private final MxClassification classification;
        private final MxSet set;
        private final Exchange exchange;

        Single(Resolution mx, MxClassification classification, MxSet set, Exchange exchange) {
            this.mx = mx;
            this.classification = classification;
            this.set = set;
            this.exchange = exchange;
        }

        @Override
        public ResolverMxResult apply(ResolverHostResult host) {
            return single(mx, classification, set, exchange, host);
        }
    }

    /** {@link #hosts} for one exchange: the same result, built without the general case's lists. */
    private ResolverMxResult single(
            Resolution mx,
            MxClassification classification,
            MxSet set,
            Exchange exchange,
            ResolverHostResult host) {
        List<QueryTrace> queries;
        List<QueryTrace> hostQueries = host.queries();
        if (hostQueries.isEmpty()) {
            queries = mx.traces();
        } else {
            // indexed copies into one array: addAll would copy each list to an array first, and
            // the result's List.copyOf the whole list once more
            List<QueryTrace> mxQueries = mx.traces();
            int m = mxQueries.size();
            QueryTrace[] all = new QueryTrace[m + hostQueries.size()];
            for (int i = 0; i < m; i++) {
                all[i] = mxQueries.get(i);
            }
            for (int i = 0; i < all.length - m; i++) {
                all[m + i] = hostQueries.get(i);
            }
            queries = List.of(all);
        }
        List<MxHostReport> reports = List.of(report(exchange, host));
        summarize(classification, reports);
        long ttl =
                host.status() == HostStatus.IP_LITERAL
                        ? mx.ttlSeconds()
                        : Math.min(mx.ttlSeconds(), host.minTtlSeconds());
        return new ResolverMxResult(
                resolver.server(), classification, set, reports, warnings, errors, ttl, queries);
    }

    private MxHostReport report(Exchange exchange, ResolverHostResult host) {
        boolean literal = host.status() == HostStatus.IP_LITERAL;
        boolean alias = !host.cnameChain().isEmpty();
        // the host's own (immutable) lists are used as they are unless something is added
        List<String> hostWarnings = alias ? new ArrayList<>(host.warnings()) : host.warnings();
        List<String> hostErrors = literal ? new ArrayList<>(host.errors()) : host.errors();
        if (literal) {
            hostErrors.add(
                    "MX exchange is an IP address, not a host name (RFC 5321 5.1): "
                            + "mailers reject it or look it up as a name");
        }
        if (!host.cnameChain().isEmpty()) {
            hostWarnings.add(
                    "MX host is an alias ("
                            + String.join(" -> ", host.cnameChain())
                            + "), not allowed by RFC 2181 10.3 and RFC 5321 5.1");
        }
        return new MxHostReport(
                host.host(),
                exchange.preference(),
                exchange.implicit(),
                host.status(),
                host.addressCount(),
                host.addresses(),
                host.tcpNeeded(),
                host.cnameChain(),
                hostWarnings,
                hostErrors);
    }

    /** Lifts host problems into the check's lists: temporary ones as warnings, others as errors. */
    private void summarize(MxClassification classification, List<MxHostReport> hosts) {
        boolean anyResolved = false;
        boolean anyTemporary = false;
        for (MxHostReport h : hosts) {
            anyResolved |= h.status() == HostStatus.RESOLVED;
            anyTemporary |= h.status() == HostStatus.TEMPFAIL;
            if (h.warnings().isEmpty() && h.errors().isEmpty()) {
                continue; // the usual healthy host: no prefix string built for nothing
            }
            String prefix =
                    (h.implicit() ? "implicit MX " : "MX host ")
                            + h.host()
                            + " (preference "
                            + h.preference()
                            + "): ";
            h.warnings().forEach(w -> warnings.add(prefix + w));
            List<String> target = h.status() == HostStatus.TEMPFAIL ? warnings : errors;
            h.errors().forEach(e -> target.add(prefix + e));
        }
        boolean routable =
                classification == MxClassification.OK || classification == MxClassification.NODATA;
        if (routable && !anyResolved && !anyTemporary) {
            errors.add("no mail exchanger has an address");
        }
    }

    private record Exchange(int preference, DomainName host, boolean implicit) {
        String display() {
            return host.text();
        }
    }
}
