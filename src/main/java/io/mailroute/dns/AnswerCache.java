package io.mailroute.dns;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.xbill.DNS.Name;

/**
 * TTL-honouring cache of usable answers (data, NODATA, NXDOMAIN) for one server. Failures are never
 * cached. Lifetimes are clamped to the configured range; time comes from an injectable clock.
 *
 * <p>Bounded: when it holds {@code capacity} entries, expired ones are dropped first, then the
 * eighth that expires soonest, so a full cache keeps taking new answers (a re-check of many domains
 * must not find its newest answers missing).
 */
final class AnswerCache {

    private final Map<QuestionKey, Entry> entries = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration min;
    private final Duration max;
    private final int capacity;

    AnswerCache(Clock clock, Duration min, Duration max) {
        this(clock, min, max, DnsResolverConfig.DEFAULT_CACHE_ENTRIES);
    }

    AnswerCache(Clock clock, Duration min, Duration max, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("cache capacity must be at least 1");
        }
        this.clock = clock;
        this.min = min;
        this.max = max;
        this.capacity = capacity;
    }

    int size() {
        return entries.size();
    }

    /** A cached answer with its remaining lifetime, or null. */
    ServerResponse get(Name name, int type) {
        return get(new QuestionKey(name, type));
    }

    /** {@link #get(Name, int)} with the caller's key (one key per question, not per map). */
    ServerResponse get(QuestionKey key) {
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
        return new ServerResponse(entry.answer, entry.trace, remaining);
    }

    /**
     * When the cached answer to (name, type) expires, or null unless {@code answer} is what is
     * cached (a newer answer may have replaced it meanwhile).
     */
    Instant expires(QuestionKey key, Answer answer) {
        Entry entry = entries.get(key);
        return entry == null || entry.answer != answer ? null : entry.expires;
    }

    /**
     * Stores a usable answer for its clamped TTL and returns it with that TTL, which is how long it
     * will be served; answers that may not be cached are returned unchanged.
     */
    ServerResponse put(Name name, int type, ServerResponse response) {
        return put(new QuestionKey(name, type), response);
    }

    /** {@link #put(Name, int, ServerResponse)} with the caller's key. */
    ServerResponse put(QuestionKey key, ServerResponse response) {
        if (!response.answered() || max.isZero()) {
            return response;
        }
        long ttl = response.answer().ttl;
        if (ttl < 0) {
            return response;
        }
        long seconds = Math.max(min.toSeconds(), Math.min(max.toSeconds(), ttl));
        if (seconds <= 0) {
            return response;
        }
        if (entries.size() >= capacity && !entries.containsKey(key)) {
            makeRoom();
        }
        // the trace as every hit reports it, made once here rather than per hit
        entries.put(
                key,
                new Entry(
                        response.answer(),
                        response.trace().fromCache(),
                        clock.instant().plusSeconds(seconds)));
        return new ServerResponse(response.answer(), response.trace(), seconds);
    }

    void clear() {
        entries.clear();
    }

    /** Drops expired entries, then, if still full, the eighth of the capacity expiring soonest. */
    private synchronized void makeRoom() {
        if (entries.size() < capacity) {
            return; // another thread made room meanwhile
        }
        Instant now = clock.instant();
        entries.values().removeIf(e -> !now.isBefore(e.expires));
        int excess = entries.size() - capacity + Math.max(1, capacity / 8);
        if (excess <= 0) {
            return;
        }
        entries.entrySet().stream()
                .sorted(Map.Entry.comparingByValue(Comparator.comparing(Entry::expires)))
                .limit(excess)
                .map(Map.Entry::getKey)
                .toList()
                .forEach(entries::remove);
    }

    /** A cached answer, the trace a hit reports ({@code cached}, no latency) and its expiry. */
    private record Entry(Answer answer, QueryTrace trace, Instant expires) {}
}
