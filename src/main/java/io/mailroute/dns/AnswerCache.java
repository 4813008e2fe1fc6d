package io.mailroute.dns;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.xbill.DNS.Name;

/**
 * TTL-honouring cache of usable answers (data, NODATA, NXDOMAIN) for one server. Failures are never
 * cached. Lifetimes are clamped to the configured range; time comes from an injectable clock.
 */
final class AnswerCache {

    private static final int MAX_ENTRIES = 10_000;

    private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration min;
    private final Duration max;

    AnswerCache(Clock clock, Duration min, Duration max) {
        this.clock = clock;
        this.min = min;
        this.max = max;
    }

    /** A cached answer with its remaining lifetime, or null. */
    ServerResponse get(Name name, int type) {
        Key key = new Key(name, type);
        Entry entry = entries.get(key);
        if (entry == null) {
            return null;
        }
        Instant now = clock.instant();
        if (!now.isBefore(entry.expires)) {
            entries.remove(key, entry);
            return null;
        }
        long remaining = Math.max(1, Duration.between(now, entry.expires).toSeconds());
        ServerResponse original = entry.response;
        return new ServerResponse(original.message(), original.trace().fromCache(), remaining);
    }

    /**
     * Stores a usable answer for its clamped TTL and returns it with that TTL, which is how long it
     * will be served; answers that may not be cached are returned unchanged.
     */
    ServerResponse put(Name name, int type, ServerResponse response) {
        if (!response.answered() || max.isZero()) {
            return response;
        }
        var ttl = AnswerTtl.of(response.message());
        if (ttl.isEmpty()) {
            return response;
        }
        long seconds = Math.max(min.toSeconds(), Math.min(max.toSeconds(), ttl.getAsLong()));
        if (seconds <= 0) {
            return response;
        }
        if (entries.size() >= MAX_ENTRIES) {
            evictExpired();
        }
        if (entries.size() < MAX_ENTRIES) {
            entries.put(
                    new Key(name, type), new Entry(response, clock.instant().plusSeconds(seconds)));
        }
        return new ServerResponse(response.message(), response.trace(), seconds);
    }

    void clear() {
        entries.clear();
    }

    private void evictExpired() {
        Instant now = clock.instant();
        entries.values().removeIf(e -> !now.isBefore(e.expires));
    }

    private record Key(Name name, int type) {}

    private record Entry(ServerResponse response, Instant expires) {}
}
