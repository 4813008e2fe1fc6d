package io.mailroute.reconciler;

import io.mailroute.api.v1alpha1.DomainResolution;
import io.mailroute.routing.ResourceKey;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs the DNS checks of routes on a bounded pool of its own, never on a reconcile thread: a
 * reconcile that finds a domain due starts its check and returns at once; when the check is done,
 * {@code done} is told the route, which wakes the route's reconcile to take the result. A slow or
 * silent resolver (up to the check deadline per domain) then delays only that route's resolution,
 * not the reconciles of every other route and relay.
 */
final class BackgroundChecks implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BackgroundChecks.class);

    private record Key(ResourceKey route, String domain) {}

    private record Running(long generation, CompletableFuture<DomainResolution> result) {}

    private final ExecutorService pool;
    private final Consumer<ResourceKey> done;
    private final Map<Key, Running> running = new ConcurrentHashMap<>();

    BackgroundChecks(int threads, Consumer<ResourceKey> done) {
        AtomicInteger count = new AtomicInteger();
        this.pool =
                new ThreadPoolExecutor(
                        threads,
                        threads,
                        30,
                        TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(),
                        task -> {
                            Thread thread =
                                    new Thread(
                                            task, "mailroute-dns-check-" + count.incrementAndGet());
                            thread.setDaemon(true);
                            return thread;
                        });
        ((ThreadPoolExecutor) pool).allowCoreThreadTimeOut(true);
        this.done = done;
    }

    /**
     * The finished check of {@code domain} for this generation of the route, or empty while it
     * runs. A finished result stays available (a route with several domains may wait for the
     * others) until the caller shows, through {@code recordedCheckedAt} (the {@code checkedAt} of
     * the resolution already in the route's status), that it was recorded; a due domain whose
     * result was recorded, or that has no check of this generation, gets a new check. A check of an
     * older generation is superseded and its result never returned.
     */
    Optional<DomainResolution> poll(
            ResourceKey route,
            String domain,
            long generation,
            String recordedCheckedAt,
            Supplier<DomainResolution> check) {
        Key key = new Key(route, domain);
        Running current = running.get(key);
        if (current != null && current.generation() == generation) {
            if (!current.result().isDone()) {
                return Optional.empty();
            }
            DomainResolution result;
            try {
                result = current.result().join();
            } catch (RuntimeException e) {
                // a bug, not a DNS failure (those are results): no new check from here, the route's
                // next
                // scheduled look starts one, so a failing check cannot spin
                running.remove(key, current);
                LOG.warnf("DNS check of %s for %s failed: %s", domain, route, e.getMessage());
                return Optional.empty();
            }
            if (!Objects.equals(result.checkedAt, recordedCheckedAt)) {
                return Optional.of(result);
            }
            running.remove(key, current);
        }
        CompletableFuture<DomainResolution> result = CompletableFuture.supplyAsync(check, pool);
        running.put(key, new Running(generation, result));
        result.whenComplete((resolution, failure) -> done.accept(route));
        return Optional.empty();
    }

    /** Checks running or finished and not yet recorded (for tests). */
    int pending() {
        return running.size();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
