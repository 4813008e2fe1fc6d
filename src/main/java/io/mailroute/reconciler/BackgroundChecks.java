package io.mailroute.reconciler;

import io.mailroute.api.v1alpha1.DomainResolution;
import io.mailroute.routing.ResourceKey;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs the DNS checks of routes in the background, never waiting for them on a reconcile thread: a
 * reconcile that finds a domain due starts its check and returns at once; when the check is done,
 * {@code done} is told the route, which wakes the route's reconcile to take the result. A slow or
 * silent resolver (up to the check deadline per domain) then delays only that route's resolution,
 * not the reconciles of every other route and relay.
 *
 * <p>Checks are asynchronous ({@code DomainValidator.validateAsync}): a check waiting for answers
 * holds no thread. At most {@code limit} run at once; further ones wait here in line (first come,
 * first started) and start as running ones end. Why not a thread per running check, as before: at
 * 10,000 domains the 32 blocking threads cost a park and a wake-up per check and kept the checks in
 * flight, and so the answers per second, low (the operator took 4.8x dnsperf's time, against 2.3x
 * for the engine driven asynchronously). Starting a check only builds and sends its first query (or
 * finds it cached), so the reconcile thread that starts one is not held. A check that waited in
 * line is started by the thread that ended the check before it: normally the engine's reader of the
 * socket that check's answer came on, which sends the new check's question on that same socket.
 * Each socket's reader then reads, finishes and starts checks without waking another thread; with
 * one engine thread reading all sockets and a thread of this class starting the checks, a pass over
 * 10,000 domains took 18-26% more wall time and no less CPU (docs/benchmarks.md, "One reader per
 * socket"). A check that ends while its thread is starting checks (an answer from the cache) only
 * frees its place; the loop that is starting them takes it, so the stack does not grow.
 */
final class BackgroundChecks implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BackgroundChecks.class);

    /**
     * A (route, domain) map key. Not a record: a record's equals and hashCode go through method
     * handles, which the operator image's C1-only JIT (-XX:TieredStopAtLevel=1) does not inline;
     * every look at a due domain finds one.
     */
    private static final class Key {
        final ResourceKey route;
        final String domain;
        private final int hash;

        Key(ResourceKey route, String domain) {
            this.route = route;
            this.domain = domain;
            this.hash = route.hashCode() * 31 + domain.hashCode();
        }

        @Override
        public boolean equals(Object o) {
            return o == this
                    || (o instanceof Key k
                            && k.hash == hash
                            && k.domain.equals(domain)
                            && k.route.equals(route));
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /**
     * One check: started from the line ({@link Runnable}), ended by its future ({@link
     * BiConsumer}). One object per check, not a lambda per step: the C1-only JIT creates capturing
     * lambdas through {@code Unsafe.allocateInstance}, a native call. It holds its outcome itself
     * (no second future per check) and lets go of the check once started: a finished task stays in
     * {@link #running} until its result is recorded, so at 10,000 domains whatever it holds is
     * copied by the young collections of the pass.
     */
    private final class Task implements Runnable, BiConsumer<DomainResolution, Throwable> {
        final long generation;
        private final ResourceKey route;
        private Supplier<CompletableFuture<DomainResolution>> check; // null once started
        private DomainResolution resolution; // written before finished
        private Throwable failure; // written before finished
        private volatile boolean finished;
        private long startedNanos;
        private boolean timed;

        Task(
                long generation,
                ResourceKey route,
                Supplier<CompletableFuture<DomainResolution>> check) {
            this.generation = generation;
            this.route = route;
            this.check = check;
        }

        /**
         * Starts the check; it got its place. Its time runs from here, for a check that started
         * (one whose start threw has no duration).
         */
        @Override
        public void run() {
            Supplier<CompletableFuture<DomainResolution>> start = check;
            check = null;
            startedNanos = System.nanoTime();
            CompletableFuture<DomainResolution> future;
            try {
                future = start.get();
                timed = true;
            } catch (RuntimeException e) {
                future = CompletableFuture.failedFuture(e);
            }
            future.whenComplete(this);
        }

        /**
         * The check ended: its duration is told, its place goes to the next in line, its route is
         * told.
         */
        @Override
        public void accept(DomainResolution resolution, Throwable failure) {
            if (timed) {
                durations.accept(System.nanoTime() - startedNanos);
            }
            ended();
            this.resolution = resolution;
            this.failure = failure;
            finished = true;
            done.accept(route);
        }
    }

    private final int limit;
    private final Consumer<ResourceKey> done;
    private final LongConsumer durations;
    private final Map<Key, Task> running = new ConcurrentHashMap<>();
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>(); // guarded by this
    private int started; // checks started and not ended; guarded by this
    private boolean closed; // guarded by this
    // per thread: [0] whether it is in startFrom's loop, [1] whether a check that ended (or one
    // that was added) inside a start left a place for that loop to fill
    private final ThreadLocal<int[]> starting = ThreadLocal.withInitial(() -> new int[2]);

    /**
     * @param limit most checks running at once
     * @param done told the route of every check that ended
     */
    BackgroundChecks(int limit, Consumer<ResourceKey> done) {
        this(limit, done, nanos -> {});
    }

    /**
     * @param limit most checks running at once
     * @param done told the route of every check that ended
     * @param durations told, before the route, the time of every check that started: from its start
     *     to its end, in nanoseconds (one completion stage per check for both, not one more for a
     *     timer)
     */
    BackgroundChecks(int limit, Consumer<ResourceKey> done, LongConsumer durations) {
        if (limit < 1) {
            throw new IllegalArgumentException("at least one check must be allowed to run");
        }
        this.limit = limit;
        this.done = done;
        this.durations = durations;
    }

    /**
     * The finished check of {@code domain} for this generation of the route, or empty while it
     * runs. A finished result stays available (a route with several domains may wait for the
     * others) until the caller shows, through {@code recordedCheckedAt} (the {@code checkedAt} of
     * the resolution already in the route's status), that it was recorded; a due domain whose
     * result was recorded, or that has no check of this generation, gets a new check. A check of an
     * older generation is superseded and its result never returned.
     *
     * @param check starts the check (it must not wait for DNS) and returns its future
     */
    Optional<DomainResolution> poll(
            ResourceKey route,
            String domain,
            long generation,
            String recordedCheckedAt,
            Supplier<CompletableFuture<DomainResolution>> check) {
        Key key = new Key(route, domain);
        Task current = running.get(key);
        if (current != null && current.generation == generation) {
            if (!current.finished) {
                return Optional.empty();
            }
            if (current.failure != null) {
                // a bug, not a DNS failure (those are results): no new check from here, the route's
                // next scheduled look starts one, so a failing check cannot spin
                running.remove(key, current);
                LOG.warnf(
                        "DNS check of %s for %s failed: %s",
                        domain, route, failureMessage(current.failure));
                return Optional.empty();
            }
            DomainResolution result = current.resolution;
            if (!Objects.equals(result.checkedAt, recordedCheckedAt)) {
                return Optional.of(result);
            }
            running.remove(key, current);
        }
        Task task = new Task(generation, route, check);
        running.put(key, task);
        enqueue(task);
        return Optional.empty();
    }

    /**
     * What the log says of a failed check: the message that joining the check's future used to give
     * (a failure that is not already a {@link CompletionException} or a cancellation came wrapped
     * in one, whose message is the failure's {@code toString()}).
     */
    static String failureMessage(Throwable failure) {
        return failure instanceof CompletionException || failure instanceof CancellationException
                ? failure.getMessage()
                : failure.toString();
    }

    private void enqueue(Runnable start) {
        synchronized (this) {
            if (closed) {
                return; // closing: the checks would only fail; nobody takes their results
            }
            waiting.add(start);
        }
        int[] loop = starting.get();
        if (loop[0] != 0) {
            loop[1] = 1; // added inside a start: that loop takes it
            return;
        }
        startFrom(takeIfFree(), true);
    }

    /**
     * A check ended: its place goes to the next in line, started on this thread. One lock for both
     * (the readers of the engine's sockets end checks at once). A check that ended inside a start
     * on this thread (answered from the cache) only frees its place: the loop that is starting
     * takes it, so the stack does not grow.
     */
    private void ended() {
        int[] loop = starting.get();
        Runnable next;
        synchronized (this) {
            started--;
            next = loop[0] == 0 ? takeIfFree() : null;
        }
        if (loop[0] != 0) {
            loop[1] = 1;
        } else if (next != null) {
            startFrom(next, false);
        }
    }

    /**
     * On the caller's thread: starts {@code first} (none if null), then more from the line: while
     * places are free if {@code fill} (new checks were added), else only the places that checks
     * ending inside these starts freed (any other place is taken by the thread that freed it).
     */
    private void startFrom(Runnable first, boolean fill) {
        int[] loop = starting.get();
        loop[0] = 1;
        try {
            Runnable next = first;
            while (next != null) {
                loop[1] = 0;
                try {
                    next.run();
                } catch (RuntimeException e) {
                    // Task.run turns a failed start into a failed check; nothing else gets here
                    LOG.warnf("starting a DNS check failed: %s", e);
                }
                next = fill || loop[1] != 0 ? takeIfFree() : null;
            }
        } finally {
            loop[0] = 0;
        }
    }

    /**
     * The next check in line, its place taken ({@link #started} counts it), or null when none waits
     * or all places are taken.
     */
    private synchronized Runnable takeIfFree() {
        if (started >= limit || waiting.isEmpty()) {
            return null;
        }
        started++;
        return waiting.poll();
    }

    /** Checks running or finished and not yet recorded (for tests). */
    int pending() {
        return running.size();
    }

    /** Checks started and not ended (for tests). */
    synchronized int runningChecks() {
        return started;
    }

    /** Checks waiting for a place (for tests). */
    synchronized int waitingChecks() {
        return waiting.size();
    }

    /** Starts no more checks; those running end with the engine (closed after this). */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            waiting.clear();
        }
    }
}
