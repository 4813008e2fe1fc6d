package io.mailroute.bench;

import io.mailroute.MailrouteMain;
import io.mailroute.dns.DnsEngineStats;
import io.mailroute.dns.DnsResolverConfig;
import io.mailroute.dns.MxClassification;
import io.mailroute.dns.MxLookupService;
import io.mailroute.dns.MxReport;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The DNS engine in-process against a local server, run by bench/dns.sh: {@code DnsBenchmark SERVER
 * N RUNS} checks dI.bench.test for I in 0..N-1 (MX, then A and AAAA of every MX host). One warm-up
 * pass (JIT, class loading), a full collection ({@link ProcessMeters#settleHeap}), then RUNS timed
 * passes, each after the cache was cleared, then a re-validation pass before the TTLs ran out,
 * which must send no query. Checks are started as a window of {@code maxConcurrentChecks} at a
 * time, so a check's latency is its own time, not time spent waiting for a slot. Prints one line of
 * JSON per pass. Not a test: figures go to docs/benchmarks.md.
 */
public final class DnsBenchmark {

    private DnsBenchmark() {}

    public static void main(String[] args) {
        MailrouteMain.quietLibraryLogging(); // as the CLI does: no trace logging of every packet
        String server = args[0];
        int n = Integer.parseInt(args[1]);
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int revalidations = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        DnsResolverConfig config = DnsResolverConfig.of(List.of(server));
        List<String> domains = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            domains.add("d" + i + ".bench.test");
        }
        try (MxLookupService engine = new MxLookupService(config)) {
            pass(engine, domains, config.maxConcurrentChecks(), "warmup");
            ProcessMeters.settleHeap();
            for (int run = 1; run <= runs; run++) {
                engine.clearCache();
                pass(engine, domains, config.maxConcurrentChecks(), "cold" + run);
            }
            for (int run = 1; run <= revalidations; run++) {
                pass(engine, domains, config.maxConcurrentChecks(), "revalidate");
            }
        }
    }

    private static void pass(
            MxLookupService engine, List<String> domains, int window, String name) {
        DnsEngineStats before = engine.stats();
        long gcsBefore = ProcessMeters.gcCount();
        long gcMillisBefore = ProcessMeters.gcMillis();
        Map<Long, Long> switchesBefore = ProcessMeters.contextSwitches();
        Map<Long, ProcessMeters.ThreadCpu> threadsBefore = ProcessMeters.threadCpu();
        long cpuBefore = ProcessMeters.processCpuNanos();
        Map<Long, Long> allocBefore = ProcessMeters.allocations();
        long[] latencyNanos = new long[domains.size()];
        long[] started = new long[domains.size()];
        int lost = 0;
        int notOk = 0;
        ArrayDeque<CompletableFuture<MxReport>> inFlight = new ArrayDeque<>();
        long t0 = System.nanoTime();
        int next = 0;
        for (int done = 0; done < domains.size(); done++) {
            while (next < domains.size() && inFlight.size() < window) {
                int i = next++;
                started[i] = System.nanoTime();
                inFlight.add(
                        engine.checkAsync(domains.get(i))
                                .whenComplete(
                                        (r, e) ->
                                                latencyNanos[i] = System.nanoTime() - started[i]));
            }
            MxReport report = inFlight.poll().join();
            boolean hostTempFail = false; // a loop, not a stream: the pass's own cost is measured
            for (var h : report.hosts()) {
                hostTempFail |= h.status() == io.mailroute.dns.HostStatus.TEMPFAIL;
            }
            if (report.classification() == MxClassification.TEMPFAIL || hostTempFail) {
                lost++;
            } else if (report.classification() != MxClassification.OK) {
                notOk++;
            }
        }
        long wallNanos = System.nanoTime() - t0;
        long cpuNanos = ProcessMeters.processCpuNanos() - cpuBefore;
        long alloc = ProcessMeters.allocatedSince(allocBefore);
        long gcs = ProcessMeters.gcCount() - gcsBefore;
        long gcMillis = ProcessMeters.gcMillis() - gcMillisBefore;
        long switches = ProcessMeters.contextSwitchesSince(switchesBefore);
        String byThread = ProcessMeters.cpuByGroupJson(threadsBefore);
        DnsEngineStats after = engine.stats();
        long queries = after.queriesSent() - before.queriesSent();
        long[] sorted = latencyNanos.clone();
        Arrays.sort(sorted);
        System.out.printf(
                Locale.ROOT,
                "{\"pass\":\"%s\",\"domains\":%d,\"wall_s\":%.3f,\"queries\":%d,\"qps\":%.0f,"
                        + "\"checks_per_s\":%.0f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f,"
                        + "\"lost\":%d,\"not_ok\":%d,\"coalesced\":%d,\"cache_hits\":%d,"
                        + "\"cpu_s\":%.3f,\"alloc_mb\":%.1f,\"gcs\":%d,\"gc_ms\":%d,"
                        + "\"ctx_switches\":%d,\"cpu_by_thread_s\":%s}%n",
                name,
                domains.size(),
                wallNanos / 1e9,
                queries,
                queries / (wallNanos / 1e9),
                domains.size() / (wallNanos / 1e9),
                percentile(sorted, 50) / 1e6,
                percentile(sorted, 99) / 1e6,
                sorted[sorted.length - 1] / 1e6,
                lost,
                notOk,
                after.coalescedQuestions() - before.coalescedQuestions(),
                after.cacheHits() - before.cacheHits(),
                cpuNanos / 1e9,
                alloc / 1e6,
                gcs,
                gcMillis,
                switches,
                byThread);
    }

    private static long percentile(long[] sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
