package io.mailroute.dns;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's own bounded worker pool. Work on it never blocks (I/O is asynchronous), so a few
 * threads serve many lookups; when the queue is full, work is rejected and the affected lookup ends
 * as TEMPFAIL instead of piling up.
 */
final class DnsExecutor {

    private static final int QUEUE_CAPACITY = 1024;
    private static final AtomicInteger POOLS = new AtomicInteger();

    private DnsExecutor() {}

    static ThreadPoolExecutor create(int threads) {
        int pool = POOLS.incrementAndGet();
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory =
                runnable -> {
                    Thread t =
                            new Thread(
                                    runnable,
                                    "mailroute-dns-" + pool + "-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                };
        ThreadPoolExecutor executor =
                new ThreadPoolExecutor(
                        threads,
                        threads,
                        30,
                        TimeUnit.SECONDS,
                        new ArrayBlockingQueue<>(QUEUE_CAPACITY),
                        factory,
                        new ThreadPoolExecutor.AbortPolicy());
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}
