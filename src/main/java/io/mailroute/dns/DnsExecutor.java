package io.mailroute.dns;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's own worker pool: a fixed number of threads. Work on it never blocks (I/O is
 * asynchronous), so a few threads serve many lookups. Its queue is not bounded here: what can be
 * queued is bounded by the checks allowed to run at once ({@link
 * DnsResolverConfig#maxConcurrentChecks()}, each with a few questions on the wire), and rejecting
 * an answer's processing would turn a burst into TEMPFAIL results. Work is only rejected after
 * shutdown.
 */
final class DnsExecutor {
    private static final AtomicInteger POOLS = new AtomicInteger();

    private DnsExecutor() {}

    static ThreadPoolExecutor create(int threads) {
        int pool = POOLS.incrementAndGet();
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory =
                runnable ->
                        daemon(runnable, "mailroute-dns-" + pool + "-" + count.incrementAndGet());
        ThreadPoolExecutor executor =
                new ThreadPoolExecutor(
                        threads,
                        threads,
                        30,
                        TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(),
                        factory,
                        new ThreadPoolExecutor.AbortPolicy());
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    /**
     * One daemon thread for the engine's watchdog (checks past their deadline); it only looks at a
     * map and completes futures with a timeout, which the engine hands on as failure results.
     */
    static ScheduledThreadPoolExecutor watchdog() {
        int pool = POOLS.get();
        ScheduledThreadPoolExecutor watchdog =
                new ScheduledThreadPoolExecutor(
                        1, runnable -> daemon(runnable, "mailroute-dns-watchdog-" + pool));
        watchdog.setRemoveOnCancelPolicy(true);
        return watchdog;
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread t = new Thread(runnable, name);
        t.setDaemon(true);
        return t;
    }
}
