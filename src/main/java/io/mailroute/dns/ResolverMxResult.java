package io.mailroute.dns;

import java.util.List;

/**
 * How one resolver sees a domain's mail routing.
 *
 * @param server the resolver, "ip:port"
 * @param classification what the MX lookup said
 * @param mxSet the MX records (empty for NODATA, NXDOMAIN, TEMPFAIL)
 * @param hosts the exchanges by preference, then name (the implicit MX for NODATA)
 * @param warnings problems that do not stop delivery
 * @param errors problems that stop delivery, or why there is no definitive answer
 * @param minTtlSeconds when the first answer used expires; 0 if anything failed temporarily
 * @param queries every DNS question asked, MX first, then per host
 */
public record ResolverMxResult(
        String server,
        MxClassification classification,
        MxSet mxSet,
        List<MxHostReport> hosts,
        List<String> warnings,
        List<String> errors,
        long minTtlSeconds,
        List<QueryTrace> queries) {

    public ResolverMxResult {
        hosts = List.copyOf(hosts);
        warnings = List.copyOf(warnings);
        errors = List.copyOf(errors);
        queries = List.copyOf(queries);
    }
}
