package io.mailroute.bench;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.mailroute.MailrouteMain;
import io.mailroute.api.v1alpha1.DomainResolution;
import io.mailroute.api.v1alpha1.MailRoute;
import io.mailroute.api.v1alpha1.MailRouteSpec;
import io.mailroute.api.v1alpha1.MxTarget;
import io.mailroute.api.v1alpha1.RouteTarget;
import io.mailroute.reconciler.DnsValidation;
import io.mailroute.reconciler.OperatorConfig;
import io.mailroute.status.StatusNames.Reason;
import io.mailroute.testing.OperatorConfigs;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Method;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The operator's own path for DNS checks, for comparison with {@link DnsBenchmark} (which drives
 * the engine's {@code checkAsync} with 256 checks in flight): {@code DnsOperatorBenchmark SERVER N
 * RUNS [CONCURRENT_CHECKS [REVALIDATIONS]]} builds {@link DnsValidation} as the operator does
 * (default {@code mailroute.dns.concurrent-checks}, a Micrometer registry) and, per pass, calls
 * {@code refresh} for N single-domain MX routes (dI.bench.test), which starts their checks in the
 * background ({@code BackgroundChecks}: at most concurrent-checks at once, each an asynchronous
 * check through {@code DomainValidator} and the lookup counters); the pass ends when the check
 * timer has counted N checks. A warm-up pass, a full collection ({@link ProcessMeters#settleHeap}),
 * then RUNS cold passes (each on a new DnsValidation: empty cache), then a re-validation pass on
 * the last one (a new generation: every domain due, answers cached). Prints one line of JSON per
 * pass. Not a test.
 */
public final class DnsOperatorBenchmark {

    private DnsOperatorBenchmark() {}

    public static void main(String[] args) throws Exception {
        MailrouteMain.quietLibraryLogging();
        String server = args[0];
        int n = Integer.parseInt(args[1]);
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int concurrent = args.length > 3 ? Integer.parseInt(args[3]) : defaultConcurrentChecks();
        int revalidations = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        List<MailRoute> routes = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            MailRoute route = new MailRoute();
            route.setMetadata(
                    new ObjectMetaBuilder()
                            .withName("r" + i)
                            .withNamespace("bench")
                            .withGeneration(1L)
                            .build());
            MailRouteSpec spec = new MailRouteSpec();
            spec.domains = List.of("d" + i + ".bench.test");
            spec.target = new RouteTarget();
            spec.target.mx = new MxTarget();
            route.setSpec(spec);
            routes.add(route);
        }
        long generation = 1;
        Engine last = null;
        for (int run = 0; run <= runs; run++) {
            if (last != null) {
                last.close();
            }
            last = new Engine(config(server, concurrent));
            pass(last, routes, ++generation, run == 0 ? "warmup" : "cold" + run);
            if (run == 0) {
                ProcessMeters.settleHeap();
            }
        }
        for (int i = 0; i < revalidations; i++) {
            pass(last, routes, ++generation, "revalidate");
        }
        last.close();
    }

    private static void pass(Engine engine, List<MailRoute> routes, long generation, String name)
            throws InterruptedException {
        routes.forEach(r -> r.getMetadata().setGeneration(generation));
        double queriesBefore = engine.queries();
        long checksBefore = engine.checks();
        long gcsBefore = ProcessMeters.gcCount();
        long gcMillisBefore = ProcessMeters.gcMillis();
        Map<Long, Long> switchesBefore = ProcessMeters.contextSwitches();
        Map<Long, ProcessMeters.ThreadCpu> threadsBefore = ProcessMeters.threadCpu();
        long cpuBefore = ProcessMeters.processCpuNanos();
        Map<Long, Long> allocBefore = ProcessMeters.allocations();
        long t0 = System.nanoTime();
        Instant now = Instant.now();
        for (MailRoute route : routes) {
            engine.validation.refresh(route, null, now); // starts the check in the background
        }
        while (engine.checks() - checksBefore < routes.size()) {
            Thread.sleep(1);
        }
        long wallNanos = System.nanoTime() - t0;
        long cpuNanos = ProcessMeters.processCpuNanos() - cpuBefore;
        long alloc = ProcessMeters.allocatedSince(allocBefore);
        long gcs = ProcessMeters.gcCount() - gcsBefore;
        long gcMillis = ProcessMeters.gcMillis() - gcMillisBefore;
        long switches = ProcessMeters.contextSwitchesSince(switchesBefore);
        String byThread = ProcessMeters.cpuByGroupJson(threadsBefore);
        int lost = 0;
        int notOk = 0;
        for (MailRoute route : routes) {
            DnsValidation.Refresh refresh = engine.validation.refresh(route, null, now);
            // the timer counts a check just before its result is handed over: wait for that
            for (int i = 0; i < 1000 && refresh.firstCheckRunning(); i++) {
                Thread.sleep(1);
                refresh = engine.validation.refresh(route, null, now);
            }
            DomainResolution r =
                    refresh.resolutions().isEmpty() ? null : refresh.resolutions().get(0);
            if (r == null
                    || Reason.MX_LOOKUP_TEMP_FAIL.equals(r.reason)
                    || Reason.HOST_LOOKUP_TEMP_FAIL.equals(r.reason)) {
                lost++;
            } else if (!"OK".equals(r.result)) {
                notOk++;
            }
        }
        long queries = Math.round(engine.queries() - queriesBefore);
        System.out.printf(
                Locale.ROOT,
                "{\"pass\":\"%s\",\"domains\":%d,\"wall_s\":%.3f,\"queries\":%d,\"qps\":%.0f,"
                        + "\"lost\":%d,\"not_ok\":%d,\"cpu_s\":%.3f,\"alloc_mb\":%.1f,"
                        + "\"gcs\":%d,\"gc_ms\":%d,\"ctx_switches\":%d,\"cpu_by_thread_s\":%s,"
                        + "\"concurrent_checks\":%d}%n",
                name,
                routes.size(),
                wallNanos / 1e9,
                queries,
                queries / (wallNanos / 1e9),
                lost,
                notOk,
                cpuNanos / 1e9,
                alloc / 1e6,
                gcs,
                gcMillis,
                switches,
                byThread,
                engine.concurrentChecks);
    }

    /** A DnsValidation with its registry. */
    private static final class Engine {
        final MeterRegistry registry = new SimpleMeterRegistry();
        final DnsValidation validation;
        final int concurrentChecks;
        private Timer checkTimer;

        Engine(OperatorConfig config) {
            this.validation = new DnsValidation(config, registry);
            this.concurrentChecks = config.dns().concurrentChecks();
        }

        double queries() {
            return registry.get("mailroute.dns.queries.sent").functionCounter().count();
        }

        long checks() {
            if (checkTimer == null) { // looked up once: the pass polls this every millisecond
                checkTimer = registry.get("mailroute.dns.check.duration").timer();
            }
            return checkTimer.count();
        }

        void close() throws ReflectiveOperationException {
            Method close = DnsValidation.class.getDeclaredMethod("close"); // @PreDestroy
            close.setAccessible(true);
            close.invoke(validation);
        }
    }

    /** The operator's default {@code mailroute.dns.concurrent-checks}, read from its annotation. */
    private static int defaultConcurrentChecks() throws NoSuchMethodException {
        return Integer.parseInt(
                OperatorConfig.Dns.class
                        .getMethod("concurrentChecks")
                        .getAnnotation(io.smallrye.config.WithDefault.class)
                        .value());
    }

    private static OperatorConfig config(String server, int concurrent) {
        return OperatorConfigs.dnsChecks(server, concurrent);
    }
}
