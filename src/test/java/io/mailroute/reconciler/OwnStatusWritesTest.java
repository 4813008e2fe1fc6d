package io.mailroute.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.routing.ResourceKey;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** When a route's cached version is the one our own status write replaced. */
class OwnStatusWritesTest {
    private final AtomicLong nanoTime = new AtomicLong();
    private final OwnStatusWrites writes =
            new OwnStatusWrites(Duration.ofSeconds(10), nanoTime::get);
    private final ResourceKey route = new ResourceKey("team", "r");

    @Test
    void theCacheIsBehindOnlyWhileItHoldsTheReplacedVersion() {
        assertThat(writes.cacheBehind(route, "10")).as("no write of ours").isFalse();
        writes.wrote(route, "10", "12");
        assertThat(writes.cacheBehind(route, "10")).isTrue();
        assertThat(writes.cacheBehind(new ResourceKey("team", "other"), "10")).isFalse();
        assertThat(writes.cacheBehind(route, "11"))
                .as("another version (someone else's write): the reconcile goes ahead")
                .isFalse();
        assertThat(writes.cacheBehind(route, "12")).as("the cache caught up").isFalse();
        assertThat(writes.pending()).isZero();
        assertThat(writes.cacheBehind(route, "10"))
                .as("forgotten once the cache showed our version")
                .isFalse();
    }

    @Test
    void aWriteIsWaitedForAtMostTheKeepTime() {
        writes.wrote(route, "10", "12");
        nanoTime.addAndGet(Duration.ofSeconds(9).toNanos());
        assertThat(writes.cacheBehind(route, "10")).isTrue();
        nanoTime.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(writes.cacheBehind(route, "10"))
                .as("a watch that never shows the write does not hold the route back")
                .isFalse();
        assertThat(writes.pending()).isZero();
    }

    @Test
    void aWriteThatChangedNothingOrHasNoVersionIsNotWaitedFor() {
        writes.wrote(route, "10", "10");
        assertThat(writes.cacheBehind(route, "10")).isFalse();
        writes.wrote(route, null, "12");
        assertThat(writes.cacheBehind(route, null)).isFalse();
    }

    @Test
    void expiredWritesAreDroppedWhenManyAccumulate() {
        for (int i = 0; i < 1024; i++) {
            writes.wrote(new ResourceKey("team", "r" + i), "1", "2");
        }
        nanoTime.addAndGet(Duration.ofSeconds(11).toNanos());
        writes.wrote(route, "10", "12");
        assertThat(writes.pending()).as("only the fresh write is kept").isEqualTo(1);
    }
}
