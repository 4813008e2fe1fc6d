package io.mailroute.dependent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A relay's Secret read ahead (FirstReads) stands for the first reconcile's own read only when that
 * is safe: begun, recent, not failed; otherwise the reconcile reads for itself.
 */
class FirstReadsTest {
    private static final ResourceID A = new ResourceID("a", "ns");
    private static final ResourceID B = new ResourceID("b", "ns");

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<ResourceID> sent = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private FirstReads<String> reads(Function<ResourceID, String> reader, Duration fresh) {
        return new FirstReads<>(
                id -> {
                    sent.add(id);
                    return reader.apply(id);
                },
                executor,
                now::get,
                fresh);
    }

    @Test
    void aReadBegunEarlyIsTakenInsteadOfASecondRead() {
        FirstReads<String> reads = reads(id -> "secret of " + id.getName(), Duration.ofSeconds(5));
        begin(reads, A, 1);

        assertThat(reads.take(A)).contains("secret of a");
        assertThat(sent).containsExactly(A);
        // used once: the next poll reads for itself
        assertThat(reads.take(A)).isEmpty();
    }

    @Test
    void aTakerWaitsForTheReadInFlightInsteadOfSendingItsOwn() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        FirstReads<String> reads =
                reads(
                        id -> {
                            waitFor(answer);
                            return "answered";
                        },
                        Duration.ofSeconds(5));
        begin(reads, A, 1);

        CompletableFuture<Optional<String>> taken =
                CompletableFuture.supplyAsync(() -> reads.take(A));
        Thread.sleep(100);
        assertThat(taken).isNotDone();
        answer.countDown();

        assertThat(taken.get(5, TimeUnit.SECONDS)).contains("answered");
        assertThat(sent).containsExactly(A);
    }

    @Test
    void aReadStillQueuedIsNotWaitedForAndNeverSent() throws Exception {
        CountDownLatch firstAnswer = new CountDownLatch(1);
        FirstReads<String> reads =
                reads(
                        id -> {
                            if (id.equals(A)) {
                                waitFor(firstAnswer);
                            }
                            return "secret of " + id.getName();
                        },
                        Duration.ofSeconds(5));
        reads.begin(A); // occupies the one reading thread
        reads.begin(B); // queued behind it
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 1);

        assertThat(reads.take(B)).as("queued: the reconcile reads for itself").isEmpty();
        firstAnswer.countDown();
        assertThat(reads.take(A)).contains("secret of a");
        Thread.sleep(100);
        assertThat(sent).containsExactly(A);
    }

    @Test
    void aReadOlderThanFreshIsNotUsed() {
        FirstReads<String> reads = reads(id -> "old", Duration.ofSeconds(5));
        begin(reads, A, 1);
        now.addAndGet(Duration.ofSeconds(5).toNanos() + 1);

        assertThat(reads.take(A)).isEmpty();
    }

    @Test
    void aFailedReadIsNotUsed() {
        FirstReads<String> reads =
                reads(
                        id -> {
                            throw new IllegalStateException("API server unreachable");
                        },
                        Duration.ofSeconds(5));
        begin(reads, A, 1);

        assertThat(reads.take(A)).isEmpty();
    }

    @Test
    void aReadThatDiesWithAnErrorIsNotWaitedForForever() {
        FirstReads<String> reads =
                reads(
                        id -> {
                            throw new LinkageError("a class the reader needs is missing");
                        },
                        Duration.ofSeconds(5));
        begin(reads, A, 1);

        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThat(reads.take(A)).isEmpty());
    }

    @Test
    void aReadNobodyTakesIsDroppedAfterFresh() {
        FirstReads<String> reads = reads(id -> "never taken", Duration.ofMillis(200));
        begin(reads, A, 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> reads.pending() == 0);
        assertThat(reads.take(A)).isEmpty();
    }

    @Test
    void aForgottenPrimaryIsReadAnewWhenSeenAgain() {
        FirstReads<String> reads = reads(id -> "read " + sent.size(), Duration.ofSeconds(5));
        begin(reads, A, 1);
        reads.forget(A); // the relay was deleted
        assertThat(reads.take(A)).isEmpty();

        begin(reads, A, 2); // a relay of the same name
        assertThat(reads.take(A)).contains("read 2");
    }

    @Test
    void afterCloseNothingIsReadAhead() {
        FirstReads<String> reads = reads(id -> "x", Duration.ofSeconds(5));
        reads.close();
        reads.begin(A);
        assertThat(reads.take(A)).isEmpty();
        assertThat(sent).isEmpty();
    }

    /** Begins a read for {@code primary} and waits until {@code sends} reads have been sent. */
    private void begin(FirstReads<String> reads, ResourceID primary, int sends) {
        reads.begin(primary);
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == sends);
    }

    private static void waitFor(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
