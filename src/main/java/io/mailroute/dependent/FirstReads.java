package io.mailroute.dependent;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * Reads of a secondary resource started as soon as its primary is seen, so that the primary's first
 * reconcile finds the answer instead of asking the API server and waiting. Why: a polling event
 * source reads nothing until the first reconcile asks for the resource, and then that reconcile
 * blocks on a GET. At operator start that GET was the largest single wait of the first reconcile
 * (bench/start.sh), while the read could have been made during the leader election that comes
 * before it.
 *
 * <p>A read is used at most once, by the first {@link #take} for its primary, and only if it began
 * at most {@link #FRESH} earlier: after that the caller reads for itself, as it would without this
 * class. A taker that finds the read still queued (not sent yet) cancels it and reads for itself,
 * so a long queue never delays a reconcile; one that finds it in flight waits for its answer
 * instead of sending a second GET. Reads nobody takes are dropped after {@link #FRESH} (a follower
 * replica never reconciles).
 *
 * @param <T> what one read returns
 */
public final class FirstReads<T> implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FirstReads.class);

    /**
     * How old a read may be and still stand for a read now. Short, because the resource may change
     * after it was read: by a user (the next poll would see it anyway) or by an operator replica
     * that led until a moment ago. At start the first reconcile comes well within it: the
     * informers' start and the leader election take about a second.
     */
    public static final Duration FRESH = Duration.ofSeconds(5);

    private static final int QUEUED = 0;
    private static final int SENT = 1;
    private static final int TAKEN = 2;

    private final Function<ResourceID, T> reader;
    private final ScheduledExecutorService executor;
    private final LongSupplier nanoTime;
    private final long freshNanos;
    private final Map<ResourceID, Read<T>> reads = new ConcurrentHashMap<>();

    private static final class Read<T> {
        final AtomicInteger state = new AtomicInteger(QUEUED);
        final CompletableFuture<T> answer = new CompletableFuture<>();
        volatile long sentNanos;
    }

    /**
     * Reads with {@code reader} on a daemon thread named {@code threadName}, one read at a time (a
     * start with many primaries must not burst the API server).
     */
    public FirstReads(Function<ResourceID, T> reader, String threadName) {
        this(
                reader,
                Executors.newSingleThreadScheduledExecutor(
                        task -> {
                            Thread thread = new Thread(task, threadName);
                            thread.setDaemon(true);
                            return thread;
                        }),
                System::nanoTime,
                FRESH);
    }

    FirstReads(
            Function<ResourceID, T> reader,
            ScheduledExecutorService executor,
            LongSupplier nanoTime,
            Duration fresh) {
        this.reader = reader;
        this.executor = executor;
        this.nanoTime = nanoTime;
        this.freshNanos = fresh.toNanos();
    }

    /** Starts reading for {@code primary} unless a read for it is already waiting to be taken. */
    public void begin(ResourceID primary) {
        Read<T> read = new Read<>();
        if (reads.putIfAbsent(primary, read) != null) {
            return;
        }
        try {
            executor.execute(() -> send(primary, read));
        } catch (RejectedExecutionException e) {
            reads.remove(primary, read); // closed: the reconcile reads for itself
        }
    }

    private void send(ResourceID primary, Read<T> read) {
        if (!read.state.compareAndSet(QUEUED, SENT)) {
            return; // taken (or forgotten) before it was sent
        }
        read.sentNanos = nanoTime.getAsLong();
        try {
            read.answer.complete(reader.apply(primary));
        } catch (RuntimeException e) {
            LOG.debugf("reading ahead for %s failed, its reconcile reads again: %s", primary, e);
            read.answer.completeExceptionally(e);
        } catch (Error e) {
            read.answer.completeExceptionally(e); // a taker must never wait for ever
            throw e;
        }
        try {
            executor.schedule(() -> reads.remove(primary, read), freshNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            reads.remove(primary, read);
        }
    }

    /**
     * The answer of the read begun for {@code primary}, waiting for it if it is in flight; empty
     * when there is none to use (never begun, already taken, still queued, failed, or older than
     * {@link #FRESH}): then the caller reads for itself.
     */
    public Optional<T> take(ResourceID primary) {
        Read<T> read = reads.remove(primary);
        if (read == null) {
            return Optional.empty();
        }
        if (read.state.compareAndSet(QUEUED, TAKEN)) {
            return Optional.empty(); // not sent yet: reading now is as quick and fresher
        }
        try {
            T answer = read.answer.get();
            long age = nanoTime.getAsLong() - read.sentNanos;
            return age <= freshNanos ? Optional.ofNullable(answer) : Optional.empty();
        } catch (ExecutionException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Drops what was read for {@code primary} (deleted): a primary of the same name reads anew. */
    public void forget(ResourceID primary) {
        Read<T> read = reads.remove(primary);
        if (read != null) {
            read.state.compareAndSet(QUEUED, TAKEN);
        }
    }

    /** Reads waiting to be taken or sent (for tests). */
    int pending() {
        return reads.size();
    }

    @Override
    public void close() {
        executor.shutdownNow();
        reads.clear();
    }
}
