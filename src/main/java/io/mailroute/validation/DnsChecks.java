package io.mailroute.validation;

import io.mailroute.dns.HostReport;
import io.mailroute.dns.MxReport;
import java.util.concurrent.CompletableFuture;

/**
 * The DNS questions validation asks; implemented with {@code
 * io.mailroute.dns.MxLookupService#checkAsync} and {@code checkHostAsync}. Asynchronous, so that a
 * check waiting for answers holds no thread: the operator keeps hundreds of checks in flight on the
 * engine's few threads. The futures complete normally, DNS failures being TEMPFAIL in the report;
 * they may already be complete when returned (answers from the cache).
 */
public interface DnsChecks {
    CompletableFuture<MxReport> check(String domain);

    CompletableFuture<HostReport> checkHost(String host);
}
