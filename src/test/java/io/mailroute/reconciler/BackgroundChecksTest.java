package io.mailroute.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailroute.api.v1alpha1.DomainResolution;
import io.mailroute.routing.ResourceKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
        checks.poll(route, "a.example", 1, null, () -> resolution(1, "t1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.size() == 1);

        assertThat(checks.poll(route, "a.example", 2, null, () -> resolution(2, "t2")))
                .as("generation 2 starts")
                .isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> woken.size() == 2);
        assertThat(checks.poll(route, "a.example", 2, null, () -> resolution(2, "t3")))
                .get()
                .extracting(r -> r.generation)
                .isEqualTo(2L);
    }

    @Test
    void checksOfManyRoutesRunSideBySideOnTheirOwnThreads() throws Exception {
        CountDownLatch allRunning = new CountDownLatch(4);
        for (int i = 0; i < 4; i++) {
            checks.poll(
                    new ResourceKey("ns", "r" + i),
                    "d.example",
                    1,
                    null,
                    () -> {
                        allRunning.countDown();
                        return slowCheck("t");
                    });
        }
        assertThat(allRunning.await(5, TimeUnit.SECONDS))
                .as("4 checks at once on 4 threads")
                .isTrue();
    }

    private DomainResolution slowCheck(String checkedAt) {
        started.incrementAndGet();
        try {
            dnsAnswers.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return resolution(1, checkedAt);
    }

    private static DomainResolution resolution(long generation, String checkedAt) {
        DomainResolution r = new DomainResolution();
        r.domain = "a.example";
        r.generation = generation;
        r.checkedAt = checkedAt;
        return r;
    }
}
