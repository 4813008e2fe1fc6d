package io.mailroute.dns;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * TTL-honouring cache of usable answers (data, NODATA, NXDOMAIN) for one server, and of the results
 * the resolver finished from one answer each ({@link #keep}). Failures are never cached. Lifetimes
 * are clamped to the configured range; time comes from an injectable clock.
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
    ServerResponse get(DomainName name, int type) {
        return get(new QuestionKey(name, type));
    }

    /** {@link #get(DomainName, int)} with the caller's key (one key per question, not per map). */
    ServerResponse get(QuestionKey key) {
        Entry entry = entries.get(key);
        long remaining = entry == null ? 0 : remaining(key, entry);
        return remaining == 0
                ? null
                : new ServerResponse(entry.answer, entry.traces.get(0), remaining);
    }

    /**
     * The result kept with the cached answer to {@code key} ({@link #keep}) with its remaining
     * lifetime as TTL, or null if none is kept or the answer expired.
     */
    Resolution kept(QuestionKey key) {
        Entry entry = entries.get(key);
        if (entry == null || entry.kept == null) {
            return null;
        }
        long remaining = remaining(key, entry);
        return remaining == 0 ? null : entry.kept.withTtl(remaining);
    }

    /**
     * Whole seconds {@code entry}, cached for {@code key}, still lives (at least 1), or 0 once it
     * expired, when it is dropped.
     */
    private long remaining(QuestionKey key, Entry entry) {
        long remaining = AnswerTtl.remaining(clock.instant(), entry.expires);
        if (remaining == 0) {
            entries.remove(key, entry);
        }
        return remaining;
    }

    /**
     * Keeps {@code result} with the cached answer to {@code key} if {@code answer} is what is
     * cached (a newer answer may have replaced it meanwhile), for exactly as long as that answer:
     * both then give the same remaining TTL, and a replaced or dropped answer takes its result
     * along. The kept result's one trace is the one a cache hit reports.
     */
    void keep(QuestionKey key, Answer answer, Resolution result) {
        Entry entry = entries.get(key);
        if (entry != null && entry.answer == answer) {
            entry.kept =
                    new Resolution(
                            result.status(),
                            result.finalName(),
                            result.records(),
                            result.cnameChain(),
                            result.ttlSeconds(),
                            result.tcpUsed(),
                            entry.traces,
                            result.error());
        }
    }

    /**
     * When the cached answer to {@code key} expires, if the result kept with it has {@code traces}
     * (that is, the caller holds that kept result); else null.
     */
    Instant keptExpires(QuestionKey key, List<QueryTrace> traces) {
        Entry entry = entries.get(key);
        Resolution kept = entry == null ? null : entry.kept;
        return kept != null && kept.traces() == traces ? entry.expires : null;
    }

    /**
     * Stores a usable answer for its clamped TTL and returns it with that TTL, which is how long it
     * will be served; answers that may not be cached are returned unchanged.
     */
    ServerResponse put(DomainName name, int type, ServerResponse response) {
        return put(new QuestionKey(name, type), response);
    }

    /** {@link #put(DomainName, int, ServerResponse)} with the caller's key. */
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
                        List.of(response.trace().fromCache()),
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
                .sorted(Map.Entry.comparingByValue(Comparator.comparing(e -> e.expires)))
                .limit(excess)
                .map(Map.Entry::getKey)
                .toList()
                .forEach(entries::remove);
    }

    /**
     * A cached answer, the trace a hit reports ({@code cached}, no latency; a one-element list that
     * the kept result shares), its expiry, and the finished result of a walk that needed only this
     * answer ({@link #keep}), if any. One entry for both: a second map of results would cost a
     * node, a record and a look-up per question.
     */
    private static final class Entry {
        final Answer answer;
        final List<QueryTrace> traces;
        final Instant expires;
        volatile Resolution kept;

        Entry(Answer answer, List<QueryTrace> traces, Instant expires) {
            this.answer = answer;
            this.traces = traces;
            this.expires = expires;
        }
    }
}
