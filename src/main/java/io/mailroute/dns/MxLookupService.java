package io.mailroute.dns;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Checks mail routing in the DNS: {@link #check(String)} proves where mail for a domain goes,
 * {@link #checkHost(String)} whether a next-hop host resolves. Every configured resolver is asked
 * on its own and differences are reported. Answers are cached per resolver for their TTL, and an
 * identical question already on the wire is not asked again.
 *
 * <p>At most {@link DnsResolverConfig#maxConcurrentChecks()} checks run at once; more wait for a
 * free slot (their deadline starts when they get one) rather than being rejected, so a burst of
 * checks is slowed down, never turned into TEMPFAIL. Thread-safe; close it to stop its worker
 * threads.
 */
public final class MxLookupService implements AutoCloseable {

    /** Time granted beyond the deadline for results that are already being assembled. */
    private static final long GRACE_MILLIS = 500;

    /** How often the watchdog looks for checks past their deadline plus grace. */
    static final long WATCHDOG_MILLIS = 250;

    private final DnsResolverConfig config;
    private final Clock clock;
    private final ThreadPoolExecutor executor;
    private final List<ServerResolver> resolvers;
    private final Object slots = new Object();
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    private int running;
    // resolvers' futures of running checks, with the time they must be done by (deadline + grace)
    private final Map<CompletableFuture<?>, Long> watched = new ConcurrentHashMap<>();
    private final ScheduledExecutorService watchdog;

    public MxLookupService(DnsResolverConfig config) {
        this(config, Clock.systemUTC());
    }

    /**
     * @param clock source of time for cache expiry and {@code checkedAt} (tests move it)
     */
    public MxLookupService(DnsResolverConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.executor = DnsExecutor.create(config.threads());
        this.watchdog = DnsExecutor.watchdog();
        watchdog.scheduleWithFixedDelay(
                this::failOverdue, WATCHDOG_MILLIS, WATCHDOG_MILLIS, TimeUnit.MILLISECONDS);
        this.resolvers =
                config.servers().stream()
                        .map(
                                s ->
                                        new ServerResolver(
                                                new ServerClient(s, config, executor),
                                                clock,
                                                config))
                        .toList();
    }

    /**
     * Checks a mail domain: MX classification, every exchange's addresses, resolver agreement.
     * Never throws for DNS failures (they are TEMPFAIL in the report).
     *
     * @throws IllegalArgumentException if {@code domain} is not a valid domain name
     */
    public MxReport check(String domain) {
        DomainName name = DnsNames.absolute(domain);
        return await(checkAsync(name), why -> mxFailures(name.text(), why));
    }

    /**
     * {@link #check(String)} without blocking: the future completes normally with the report (DNS
     * failures are TEMPFAIL in it), on one of the engine's threads or the caller's.
     *
     * @throws IllegalArgumentException if {@code domain} is not a valid domain name
     */
    public CompletableFuture<MxReport> checkAsync(String domain) {
        return checkAsync(DnsNames.absolute(domain));
    }

    private CompletableFuture<MxReport> checkAsync(DomainName name) {
        MxTask check = new MxTask(name);
        return runAll(check, MxLookupService::mxFailure).thenApply(check);
    }

    /**
     * One MX check's steps: per resolver, then the report. Classes rather than lambdas on the
     * per-check path (here and below): the operator image's C1-only JIT (-XX:TieredStopAtLevel=1)
     * creates a capturing lambda through a constructor method handle and {@code
     * Unsafe.allocateInstance}, a native call that C2 would have inlined; a cold check made about a
     * dozen.
     */
    private final class MxTask
            implements ResolverTask<ResolverMxResult>, Function<List<ResolverMxResult>, MxReport> {
        private final DomainName name;

        MxTask(DomainName name) {
            this.name = name;
        }

        @Override
        public CompletableFuture<ResolverMxResult> start(ServerResolver r, Deadline deadline) {
            return MxCheck.run(r, name, deadline);
        }

        @Override
        public MxReport apply(List<ResolverMxResult> results) {
            return MxReport.assemble(name.text(), results, clock.instant());
        }
    }

    /**
     * Checks whether a host resolves to addresses (A/AAAA, following CNAMEs). Combine with {@link
     * MxReport#hasMxHost(String)} to tell whether a pinned host is a current MX.
     *
     * @throws IllegalArgumentException if {@code host} is not a valid host name or IP literal
     */
    public HostReport checkHost(String host) {
        return await(checkHostAsync(host), why -> hostFailures(hostDisplay(host), why));
    }

    /**
     * {@link #checkHost(String)} without blocking: the future completes normally with the report
     * (DNS failures are TEMPFAIL in it), on one of the engine's threads or the caller's.
     *
     * @throws IllegalArgumentException if {@code host} is not a valid host name or IP literal
     */
    public CompletableFuture<HostReport> checkHostAsync(String host) {
        String literal = IpLiteral.parse(host.trim()).orElse(null);
        DomainName name = literal != null ? null : DnsNames.absolute(host);
        String display = literal != null ? literal : name.text();
        return runAll(
                        (r, deadline) ->
                                literal != null
                                        ? CompletableFuture.completedFuture(
                                                new ResolverHostResult(
                                                        r.server(),
                                                        display,
                                                        HostStatus.IP_LITERAL,
                                                        1,
                                                        List.of(literal),
                                                        false,
                                                        List.of(),
                                                        List.of(),
                                                        List.of(),
                                                        0,
                                                        List.of()))
                                        : HostLookup.resolve(r, name, deadline),
                        (server, why) -> hostFailure(server, display, why))
                .thenApply(results -> HostReport.assemble(display, results, clock.instant()));
    }

    /** How a host is named in its report: the IP literal, or the name without the final dot. */
    private static String hostDisplay(String host) {
        String literal = IpLiteral.parse(host.trim()).orElse(null);
        return literal != null ? literal : DnsNames.absolute(host).text();
    }

    /** Forgets all cached answers. */
    public void clearCache() {
        resolvers.forEach(ServerResolver::clearCache);
    }

    /**
     * DNS messages sent on the wire so far, over all servers (retries and TCP re-asks included).
     */
    public long queriesSent() {
        return resolvers.stream().mapToLong(ServerResolver::queriesSent).sum();
    }

    /** Counters since creation, summed over the servers. */
    public DnsEngineStats stats() {
        int queued;
        synchronized (slots) {
            queued = waiting.size();
        }
        return new DnsEngineStats(
                queriesSent(),
                resolvers.stream().mapToLong(ServerResolver::cacheHits).sum(),
                resolvers.stream().mapToLong(ServerResolver::coalescedQuestions).sum(),
                resolvers.stream().mapToLong(ServerResolver::cachedAnswers).sum(),
                queued);
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        executor.shutdownNow();
        resolvers.forEach(ServerResolver::close);
    }

    /**
     * Asks every resolver once the check has a slot. The future always completes normally: a
     * resolver that misses the deadline (plus grace) or fails internally gets a failure result.
     */
    private <T> CompletableFuture<List<T>> runAll(ResolverTask<T> task, FailureResult<T> failure) {
        if (executor.isShutdown()) {
            throw new IllegalStateException("MxLookupService is closed");
        }
        return inSlot(new AllResolvers<>(task, failure));
    }

    /**
     * A check's work once it has a slot: every resolver asked under one deadline; with the usual
     * single resolver, no allOf and no list of futures. Also that resolver's outcome handler.
     */
    private final class AllResolvers<T>
            implements Supplier<CompletableFuture<List<T>>>, BiFunction<T, Throwable, List<T>> {
        private final ResolverTask<T> task;
        private final FailureResult<T> failure;
        private CompletableFuture<T> single; // the single resolver's future, once started

        AllResolvers(ResolverTask<T> task, FailureResult<T> failure) {
            this.task = task;
            this.failure = failure;
        }

        @Override
        public CompletableFuture<List<T>> get() {
            Deadline deadline = Deadline.after(config.deadline());
            long overdueNanos =
                    System.nanoTime()
                            + deadline.remainingMillis() * 1_000_000L
                            + GRACE_MILLIS * 1_000_000L;
            if (resolvers.size() == 1) {
                single = watch(resolvers.get(0), task, deadline, overdueNanos);
                return single.handle(this);
            }
            List<CompletableFuture<T>> futures = new ArrayList<>(resolvers.size());
            for (ServerResolver r : resolvers) {
                CompletableFuture<T> f = watch(r, task, deadline, overdueNanos);
                futures.add(f.handle((result, error) -> outcome(f, r, failure, result, error)));
            }
            return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                    .thenApply(ignored -> futures.stream().map(CompletableFuture::join).toList());
        }

        /** The single resolver's result or failure result. */
        @Override
        public List<T> apply(T result, Throwable error) {
            return List.of(outcome(single, resolvers.get(0), failure, result, error));
        }
    }

    /**
     * Starts one resolver's part of a check; the watchdog fails it if it is not done {@link
     * #GRACE_MILLIS} after the deadline (every query has its own timeout within the deadline, so
     * only a bug gets there). A map entry per running check, looked at by one periodic task,
     * replaces a timer task scheduled and cancelled per check in the JDK's shared (locked) delay
     * scheduler.
     */
    private <T> CompletableFuture<T> watch(
            ServerResolver r, ResolverTask<T> task, Deadline deadline, long overdueNanos) {
        CompletableFuture<T> f;
        try {
            f = task.start(r, deadline);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        if (!f.isDone()) {
            watched.put(f, overdueNanos);
        }
        return f;
    }

    /** The resolver's result, or its failure result; forgets the watch. */
    private <T> T outcome(
            CompletableFuture<T> f,
            ServerResolver r,
            FailureResult<T> failure,
            T result,
            Throwable error) {
        watched.remove(f);
        return error == null ? result : failure.of(r.server(), why(error));
    }

    /** Fails the resolvers' futures of checks past their deadline plus grace. */
    private void failOverdue() {
        long now = System.nanoTime();
        watched.forEach(
                (f, overdue) -> {
                    if (now - overdue >= 0) {
                        f.completeExceptionally(new TimeoutException("check overdue"));
                    }
                });
    }

    private String why(Throwable error) {
        Throwable e = error;
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e instanceof TimeoutException
                ? "deadline of " + config.deadline() + " exceeded"
                : "internal error: " + e;
    }

    /**
     * Starts the work now if fewer than maxConcurrentChecks are running, else when one ends (on the
     * engine's executor). The returned future completes when the work's future does.
     */
    private <T> CompletableFuture<T> inSlot(Supplier<CompletableFuture<T>> work) {
        SlotTask<T> start = new SlotTask<>(work);
        boolean now;
        synchronized (slots) {
            now = running < config.maxConcurrentChecks();
            if (now) {
                running++;
            } else {
                waiting.add(start);
            }
        }
        if (now) {
            start.run();
        }
        return start.result;
    }

    /** Starts a check's work once it has a slot; frees the slot when the work's future ends. */
    private final class SlotTask<T> implements Runnable, BiConsumer<T, Throwable> {
        final CompletableFuture<T> result = new CompletableFuture<>();
        private final Supplier<CompletableFuture<T>> work;

        SlotTask(Supplier<CompletableFuture<T>> work) {
            this.work = work;
        }

        @Override
        public void run() {
            Futures.started(work).whenComplete(this);
        }

        @Override
        public void accept(T value, Throwable error) {
            releaseSlot();
            Futures.settle(result, value, error);
        }
    }

    private void releaseSlot() {
        Runnable next;
        synchronized (slots) {
            next = waiting.poll();
            if (next == null) {
                running--;
            }
        }
        if (next != null) {
            // the slot passes to the next check; started on the executor so that a long queue
            // does not grow the stack of the thread that finished a check
            try {
                executor.execute(next);
            } catch (RejectedExecutionException closed) {
                next.run(); // closed: its queries fail at once, so it still completes
            }
        }
    }

    /** Waits for a report; an interrupted caller gets failure results and keeps its interrupt. */
    private static <R> R await(CompletableFuture<R> report, Function<String, R> interrupted) {
        try {
            return report.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return interrupted.apply("interrupted");
        } catch (ExecutionException e) {
            throw new IllegalStateException("DNS check failed internally", e.getCause());
        }
    }

    private MxReport mxFailures(String display, String why) {
        return MxReport.assemble(
                display,
                resolvers.stream().map(r -> mxFailure(r.server(), why)).toList(),
                clock.instant());
    }

    private HostReport hostFailures(String display, String why) {
        return HostReport.assemble(
                display,
                resolvers.stream().map(r -> hostFailure(r.server(), display, why)).toList(),
                clock.instant());
    }

    private static ResolverMxResult mxFailure(String server, String why) {
        return new ResolverMxResult(
                server,
                MxClassification.TEMPFAIL,
                MxSet.empty(),
                List.of(),
                List.of(),
                List.of("MX check did not complete: " + why),
                0,
                List.of());
    }

    private static ResolverHostResult hostFailure(String server, String display, String why) {
        return new ResolverHostResult(
                server,
                display,
                HostStatus.TEMPFAIL,
                0,
                List.of(),
                false,
                List.of(),
                List.of(),
                List.of("host check did not complete: " + why),
                0,
                List.of());
    }

    /** One resolver's part of a check, started under the check's deadline. */
    @FunctionalInterface
    private interface ResolverTask<T> {
        CompletableFuture<T> start(ServerResolver resolver, Deadline deadline);
    }

    @FunctionalInterface
    private interface FailureResult<T> {
        T of(String server, String why);
    }
}
