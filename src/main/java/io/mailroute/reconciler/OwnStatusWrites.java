package io.mailroute.reconciler;

import io.mailroute.routing.ResourceKey;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The route versions this controller's own status writes replaced and produced, so that a reconcile
 * can tell when the cache still holds the version a write of ours replaced.
 *
 * <p>Why: the SDK keeps the result of a write in a temporary cache, but drops it at the next
 * informer event of the route, even when that event is older (it does not compare
 * resourceVersions). When the watch event of a route's previous write arrives after its next write,
 * a reconcile that follows sees the older status, builds conditions with new transition times from
 * it, fails with 409 Conflict and writes again once retried. A reconcile that finds the replaced
 * version waits briefly for the cache instead ({@link #cacheBehind}). (Suspected, not confirmed, as
 * the source of the extra status applies at 10,000 routes: docs/design.md.)
 *
 * <p>resourceVersions are compared for equality only, as the API conventions ask. Entries are
 * forgotten once the cache shows the written version, or after {@code keep}.
 */
final class OwnStatusWrites {
    private record Write(String replaced, String produced, long at) {}

    private final Map<ResourceKey, Write> writes = new ConcurrentHashMap<>();
    private final Duration keep;
    private final LongSupplier nanoTime;

    OwnStatusWrites(Duration keep, LongSupplier nanoTime) {
        this.keep = keep;
        this.nanoTime = nanoTime;
    }

    /** Records that a status write turned {@code replaced} into {@code produced}. */
    void wrote(ResourceKey route, String replaced, String produced) {
        long now = nanoTime.getAsLong();
        if (replaced == null || produced == null || replaced.equals(produced)) {
            writes.remove(route);
            return;
        }
        writes.put(route, new Write(replaced, produced, now));
        if (writes.size() > 1024) {
            writes.values().removeIf(w -> expired(w, now));
        }
    }

    /**
     * Whether the cache's version of {@code route} ({@code resourceVersion}) is the one our last
     * write replaced, within {@code keep} of that write.
     */
    boolean cacheBehind(ResourceKey route, String resourceVersion) {
        Write write = writes.get(route);
        if (write == null) {
            return false;
        }
        if (Objects.equals(resourceVersion, write.produced())
                || expired(write, nanoTime.getAsLong())) {
            writes.remove(route, write);
            return false;
        }
        return Objects.equals(resourceVersion, write.replaced());
    }

    /** Routes with a write whose version the cache has not shown yet (for tests). */
    int pending() {
        return writes.size();
    }

    private boolean expired(Write write, long now) {
        return now - write.at() > keep.toNanos();
    }
}
