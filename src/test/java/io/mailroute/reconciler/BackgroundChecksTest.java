package io.mailroute.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.mailroute.api.v1alpha1.DomainResolution;
import io.mailroute.routing.ResourceKey;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BackgroundChecksTest {

    private final ResourceKey route = new ResourceKey("ns", "route");
    private final List<ResourceKey> woken = new CopyOnWriteArrayList<>();
    private final BackgroundChecks checks = new BackgroundChecks(4, woken::add);
    private final CountDownLatch dnsAnswers = new CountDownLatch(1);
    private final AtomicInteger started = new AtomicInteger();

    @AfterEach
    void close() {
        dnsAnswers.countDown();
        checks.close();
    }

    @Test
    void aCallerNeverWaitsForASilentResolverAndIsWokenWhenTheCheckEnds() {
        long before = System.nanoTime();
        assertThat(checks.poll(route, "a.example", 1, null, () -> slowCheck("t1"))).isEmpty();
        assertThat(checks.poll(route, "a.example", 1, null, () -> slowCheck("t1")))
                .as("still running")
                .isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(1));
        assertThat(woken).isEmpty();

        dnsAnswers.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.contains(route));
        assertThat(checks.poll(route, "a.example", 1, null, () -> slowCheck("t2")))
                .get()
                .extracting(r -> r.checkedAt)
                .isEqualTo("t1");
        assertThat(started).as("one check for the same generation").hasValue(1);
    }

    @Test
    void aFinishedResultWaitsUntilItIsRecordedThenTheNextDueLookChecksAgain() {
        dnsAnswers.countDown();
        checks.poll(route, "a.example", 1, null, () -> slowCheck("t1"));
        checks.poll(route, "b.example", 1, null, () -> slowCheck("t1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.size() == 2);

        // a route with two domains may look several times before it writes both: nothing is lost
        // meanwhile
        assertThat(checks.poll(route, "a.example", 1, null, () -> slowCheck("t2")))
                .get()
                .extracting(r -> r.checkedAt)
                .isEqualTo("t1");
        assertThat(checks.poll(route, "a.example", 1, null, () -> slowCheck("t2")))
                .get()
                .extracting(r -> r.checkedAt)
                .isEqualTo("t1");
        assertThat(started).hasValue(2);

        // once status holds t1, a due look starts a new check
        assertThat(checks.poll(route, "a.example", 1, "t1", () -> slowCheck("t2"))).isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.size() == 3);
        assertThat(checks.poll(route, "a.example", 1, "t1", () -> slowCheck("t3")))
                .get()
                .extracting(r -> r.checkedAt)
                .isEqualTo("t2");
    }

    @Test
    void aResultForAnOlderGenerationIsNeverReturned() {
        dnsAnswers.countDown();
        checks.poll(
                route,
                "a.example",
                1,
                null,
                () -> CompletableFuture.completedFuture(resolution(1, "t1")));
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.size() == 1);

        assertThat(
                        checks.poll(
                                route,
                                "a.example",
                                2,
                                null,
                                () -> CompletableFuture.completedFuture(resolution(2, "t2"))))
                .as("generation 2 starts")
                .isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.size() == 2);
        assertThat(
                        checks.poll(
                                route,
                                "a.example",
                                2,
                                null,
                                () -> CompletableFuture.completedFuture(resolution(2, "t3"))))
                .get()
                .extracting(r -> r.generation)
                .isEqualTo(2L);
    }

    @Test
    void atMostTheLimitRunAtOnceAndTheOthersStartInTurnAsChecksEnd() {
        List<CompletableFuture<DomainResolution>> dns = new CopyOnWriteArrayList<>();
        List<String> startedOn = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 10; i++) {
            checks.poll(
                    new ResourceKey("ns", "r" + i),
                    "d.example",
                    1,
                    null,
                    () -> {
                        CompletableFuture<DomainResolution> answer = new CompletableFuture<>();
                        startedOn.add(Thread.currentThread().getName());
                        dns.add(answer);
                        return answer;
                    });
        }
        assertThat(dns).as("4 started, on the caller's thread, without waiting").hasSize(4);
        assertThat(startedOn).containsOnly(Thread.currentThread().getName());
        assertThat(checks.runningChecks()).isEqualTo(4);
        assertThat(checks.waitingChecks()).isEqualTo(6);

        dns.get(1).complete(resolution(1, "t"));
        assertThat(woken).containsExactly(new ResourceKey("ns", "r1"));
        assertThat(dns)
                .as("the check that ended gave its place to the first in line at once")
                .hasSize(5);
        assertThat(startedOn.get(4))
                .as("started by the thread that ended a check (the engine's reader of its answer)")
                .isEqualTo(Thread.currentThread().getName());
        assertThat(checks.runningChecks()).isEqualTo(4);
        assertThat(checks.waitingChecks()).isEqualTo(5);

        for (int i = 0; i < 10; i++) {
            int index = i;
            await().atMost(Duration.ofSeconds(5)).until(() -> dns.size() > index);
            dns.get(i).complete(resolution(1, "t"));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.size() == 10);
        assertThat(dns).hasSize(10);
        assertThat(checks.runningChecks()).isZero();
        assertThat(checks.waitingChecks()).isZero();
    }

    @Test
    void manyChecksThatEndAtOnceStartOneAfterTheOtherWithoutDeepeningTheStack() {
        BackgroundChecks one = new BackgroundChecks(1, woken::add);
        CompletableFuture<DomainResolution> first = new CompletableFuture<>();
        one.poll(route, "first.example", 1, null, () -> first);
        int cached = 20_000; // answers from the cache: each check ends as it starts
        for (int i = 0; i < cached; i++) {
            one.poll(
                    route,
                    "d" + i + ".example",
                    1,
                    null,
                    () -> CompletableFuture.completedFuture(resolution(1, "t")));
        }
        assertThat(one.waitingChecks()).isEqualTo(cached);

        // the 20,000 start on this thread, the one that ended the first check, in one loop
        first.complete(resolution(1, "t"));
        await().atMost(Duration.ofSeconds(30)).until(() -> woken.size() == cached + 1);
        assertThat(one.runningChecks()).isZero();
        assertThat(one.poll(route, "d19999.example", 1, null, () -> first))
                .get()
                .extracting(r -> r.checkedAt)
                .isEqualTo("t");
        one.close();
    }

    @Test
    void aCheckThatFailsToStartFreesItsPlaceAndIsNotRetriedByTheSameLook() {
        BackgroundChecks one = new BackgroundChecks(1, woken::add);
        one.poll(
                route,
                "a.example",
                1,
                null,
                () -> {
                    throw new IllegalStateException("engine closed");
                });
        assertThat(woken).containsExactly(route);
        assertThat(one.runningChecks()).isZero();
        assertThat(one.poll(route, "a.example", 1, null, () -> slowCheck("t1")))
                .as("the failure is logged, not returned, and no check starts from this look")
                .isEmpty();
        assertThat(started).hasValue(0);
        assertThat(one.poll(route, "a.example", 1, null, () -> slowCheck("t1")))
                .as("the next look starts one")
                .isEmpty();
        assertThat(started).hasValue(1);
        one.close();
    }

    @Test
    void closedChecksStartNoMoreChecks() {
        checks.close();
        assertThat(checks.poll(route, "a.example", 1, null, () -> slowCheck("t1"))).isEmpty();
        assertThat(started).hasValue(0);
    }

    /** A check whose DNS answers come when the test releases them. */
    private CompletableFuture<DomainResolution> slowCheck(String checkedAt) {
        started.incrementAndGet();
        return CompletableFuture.supplyAsync(
                () -> {
                    try {
                        dnsAnswers.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return resolution(1, checkedAt);
                });
    }

    private static DomainResolution resolution(long generation, String checkedAt) {
        DomainResolution r = new DomainResolution();
        r.domain = "a.example";
        r.generation = generation;
        r.checkedAt = checkedAt;
        return r;
    }

    @Test
    void aFailedCheckIsLoggedWithTheMessageThatJoiningItsFutureGave() {
        for (Throwable failure :
                List.of(
                        new IllegalStateException("engine closed"),
                        new CompletionException(new IllegalArgumentException("bad name")),
                        new CancellationException("cancelled"))) {
            CompletableFuture<DomainResolution> future = new CompletableFuture<>();
            future.completeExceptionally(failure);
            assertThat(BackgroundChecks.failureMessage(failure))
                    .isEqualTo(catchThrowable(future::join).getMessage());
        }
    }

    @Test
    void aFinishedCheckKeepsItsResultButNotWhatStartedIt() {
        dnsAnswers.countDown();
        WeakReference<Supplier<CompletableFuture<DomainResolution>>> starter =
                startAndForget(route, "a.example");
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.contains(route));
        await().atMost(Duration.ofSeconds(5))
                .until(
                        () -> {
                            System.gc();
                            return starter.get() == null;
                        });
        assertThat(checks.poll(route, "a.example", 1, null, () -> slowCheck("t2")))
                .get()
                .extracting(r -> r.checkedAt)
                .isEqualTo("t1");
    }

    private WeakReference<Supplier<CompletableFuture<DomainResolution>>> startAndForget(
            ResourceKey key, String domain) {
        Supplier<CompletableFuture<DomainResolution>> start = () -> slowCheck("t1");
        checks.poll(key, domain, 1, null, start);
        return new WeakReference<>(start);
    }

    @Test
    void everyStartedCheckIsTimedBeforeItsRouteIsWokenAndOneThatFailedToStartIsNot() {
        List<String> told = new CopyOnWriteArrayList<>();
        BackgroundChecks timed =
                new BackgroundChecks(
                        2,
                        key -> told.add("woken " + key.name()),
                        nanos -> told.add(nanos >= 0 ? "timed" : "negative"));
        CompletableFuture<DomainResolution> answer = new CompletableFuture<>();
        timed.poll(new ResourceKey("ns", "slow"), "a.example", 1, null, () -> answer);
        timed.poll(
                new ResourceKey("ns", "broken"),
                "b.example",
                1,
                null,
                () -> {
                    throw new IllegalStateException("engine closed");
                });
        assertThat(told).containsExactly("woken broken");

        answer.complete(resolution(1, "t"));
        assertThat(told).containsExactly("woken broken", "timed", "woken slow");
        timed.close();
    }
}
