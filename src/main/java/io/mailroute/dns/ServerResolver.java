package io.mailroute.dns;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * Resolves names on one server: answers come from the cache or the wire, CNAME chains are followed
 * (inside one answer and across answers) with loop detection and a depth limit, and every answer is
 * classified. Only a definitive answer is ever NODATA or NXDOMAIN.
 *
 * <p>A question that is already on the wire is not sent again: later askers share its answer
 * (10,000 domains with 100 MX hosts ask each host's A and AAAA once, not 100 times). The shared
 * exchange runs under the first asker's deadline.
 *
 * <p>A definitive answer that needed one question (no CNAME) is also kept as its finished {@link
 * Resolution}, until the cached answer it came from expires: re-validating a route before its TTLs
 * ran out then takes that result instead of walking the cached message again (the walk, its traces
 * and lists were most of the cost of a check that sends nothing).
 */
final class ServerResolver {

    private final ServerClient client;
    private final AnswerCache cache;
    private final int maxCnameDepth;
    private final Map<QuestionKey, CompletableFuture<ServerResponse>> inFlight =
            new ConcurrentHashMap<>();
    private final Map<DomainName, FinishedHost> finishedHosts = new ConcurrentHashMap<>();
    private final Clock clock;
    private final int finishedCapacity;
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder coalesced = new LongAdder();

    ServerResolver(ServerClient client, Clock clock, DnsResolverConfig config) {
        this.client = client;
        this.clock = clock;
        this.finishedCapacity = config.cacheEntries();
        this.cache =
                new AnswerCache(
                        clock, config.minCacheTtl(), config.maxCacheTtl(), config.cacheEntries());
        this.maxCnameDepth = config.maxCnameDepth();
    }

    long queriesSent() {
        return client.queriesSent();
    }

    long cacheHits() {
        return cacheHits.sum();
    }

    long coalescedQuestions() {
        return coalesced.sum();
    }

    int cachedAnswers() {
        return cache.size();
    }

    String server() {
        return client.label();
    }

    void clearCache() {
        finishedHosts.clear();
        cache.clear();
    }

    void close() {
        client.close();
    }

    /** Resolves; the future always completes normally. */
    CompletableFuture<Resolution> resolve(DomainName name, int type, Deadline deadline) {
        QuestionKey question = new QuestionKey(name, type);
        Resolution done = cache.kept(question);
        if (done != null) {
            cacheHits.increment();
            return CompletableFuture.completedFuture(done);
        }
        Walk walk = new Walk(name, type, question);
        return step(walk, name, deadline).thenApply(walk);
    }

    /**
     * A host's finished address result, kept from an earlier check, with its remaining TTL; null if
     * none is kept or its first answer expired.
     */
    ResolverHostResult finishedHost(DomainName host) {
        FinishedHost kept = finishedHosts.get(host);
        if (kept == null) {
            return null;
        }
        long remaining = AnswerTtl.remaining(clock.instant(), kept.expires);
        if (remaining == 0) {
            finishedHosts.remove(host, kept);
            return null;
        }
        cacheHits.add(2); // its A and AAAA answers, as if they had been looked up
        return kept.result.withMinTtl(remaining);
    }

    /**
     * Keeps a host's result when both its A and AAAA results were kept results themselves (so their
     * lifetimes are known and no CNAME was involved), until the first of the two expires.
     */
    ResolverHostResult rememberHost(
            DomainName host, Resolution a, Resolution aaaa, ResolverHostResult result) {
        Instant expiresA = cache.keptExpires(new QuestionKey(host, Type.A), a.traces());
        Instant expiresAaaa = cache.keptExpires(new QuestionKey(host, Type.AAAA), aaaa.traces());
        if (expiresA == null || expiresAaaa == null || result.minTtlSeconds() <= 0) {
            return result;
        }
        if (finishedHosts.size() >= finishedCapacity) {
            finishedHosts.clear();
        }
        Instant expires = expiresA.isBefore(expiresAaaa) ? expiresA : expiresAaaa;
        finishedHosts.put(host, new FinishedHost(result, expires));
        return result;
    }

    /**
     * Keeps a definitive one-question result until its answer expires in the cache, never longer.
     * Failures and CNAME chains are not kept: a chain depends on several cached answers with their
     * own lifetimes.
     */
    private Resolution remember(QuestionKey question, Answer answer, Resolution r) {
        boolean definitive =
                r.status() == LookupStatus.ANSWER
                        || r.status() == LookupStatus.NODATA
                        || r.status() == LookupStatus.NXDOMAIN;
        if (!definitive
                || r.ttlSeconds() <= 0
                || r.traces().size() != 1
                || !r.cnameChain().isEmpty()
                || r.traces().get(0).error() != null) {
            return r;
        }
        // exactly as long as the answer it came from, so both give the same remaining TTL
        cache.keep(question, answer, r);
        return r;
    }

    private CompletableFuture<Resolution> step(Walk walk, DomainName current, Deadline deadline) {
        // runs on the thread that completed the answer (the engine's executor, see ServerClient);
        // a class, not a lambda (MxLookupService says why)
        return ask(current, walk.type, deadline).thenCompose(new Step(walk, current, deadline));
    }

    /** One step of a walk: the answer for {@code current}, then the end or the next question. */
    private final class Step implements Function<ServerResponse, CompletableFuture<Resolution>> {
        private final Walk walk;
        private final DomainName current;
        private final Deadline deadline;

        Step(Walk walk, DomainName current, Deadline deadline) {
            this.walk = walk;
            this.current = current;
            this.deadline = deadline;
        }

        @Override
        public CompletableFuture<Resolution> apply(ServerResponse response) {
            walk.observe(response);
            if (!response.answered()) {
                return done(
                        walk.end(
                                LookupStatus.TEMPFAIL,
                                current,
                                List.of(),
                                response.trace().error()));
            }
            Answer answer = response.answer();
            int rcode = answer.rcode;
            if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
                return done(
                        walk.end(
                                LookupStatus.TEMPFAIL,
                                current,
                                List.of(),
                                "server answered " + Rcode.string(rcode)));
            }
            Rr[] records = answer.records;
            DomainName at = current;
            while (true) {
                List<Rr> data = recordsAt(records, at, walk.type);
                if (!data.isEmpty()) {
                    return done(walk.end(LookupStatus.ANSWER, at, data, null));
                }
                Rr alias = cnameAt(records, at, walk.type);
                if (alias == null) {
                    break;
                }
                Resolution broken = walk.follow(alias.target);
                if (broken != null) {
                    return done(broken);
                }
                at = alias.target;
            }
            if (rcode == Rcode.NXDOMAIN) {
                return done(walk.end(LookupStatus.NXDOMAIN, at, List.of(), null));
            }
            if (!at.equals(current)) {
                return step(walk, at, deadline); // the chain leaves this answer: ask for its
                // target
            }
            String untrusted = untrustedEmptyAnswer(answer);
            if (untrusted != null) {
                return done(walk.end(LookupStatus.TEMPFAIL, at, List.of(), untrusted));
            }
            return done(walk.end(LookupStatus.NODATA, at, List.of(), null));
        }
    }

    private CompletableFuture<ServerResponse> ask(DomainName name, int type, Deadline deadline) {
        QuestionKey question = new QuestionKey(name, type); // one key for the cache and inFlight
        ServerResponse cached = cache.get(question);
        if (cached != null) {
            cacheHits.increment();
            return CompletableFuture.completedFuture(cached);
        }
        CompletableFuture<ServerResponse> mine = new CompletableFuture<>();
        CompletableFuture<ServerResponse> running = inFlight.putIfAbsent(question, mine);
        if (running != null) {
            coalesced.increment();
            return running;
        }
        // the answer may have been stored between the look-up above and taking the question over
        cached = cache.get(question);
        if (cached != null) {
            cacheHits.increment();
            inFlight.remove(question, mine);
            mine.complete(cached);
            return mine;
        }
        client.query(name, type, deadline).whenComplete(new Asked(question, mine));
        return mine;
    }

    /** The answer to a question this resolver put on the wire: cached, then shared. */
    private final class Asked implements BiConsumer<ServerResponse, Throwable> {
        private final QuestionKey question;
        private final CompletableFuture<ServerResponse> mine;

        Asked(QuestionKey question, CompletableFuture<ServerResponse> mine) {
            this.question = question;
            this.mine = mine;
        }

        @Override
        public void accept(ServerResponse response, Throwable error) {
            // cached before it leaves inFlight: a later asker finds one or the other
            ServerResponse stored = response == null ? null : cache.put(question, response);
            inFlight.remove(question, mine);
            Futures.settle(mine, stored, error);
        }
    }

    /**
     * An empty NOERROR answer only means "no such data" when it comes from a server that is
     * authoritative (AA or SOA) or recursive (RA); a referral is not an answer.
     */
    private static String untrustedEmptyAnswer(Answer answer) {
        boolean soa = answer.soaInAuthority;
        if (!soa && answer.nsInAuthority) {
            return "referral instead of an answer: the server is not a recursive resolver for this name";
        }
        boolean trusted = soa || answer.authoritative || answer.recursionAvailable;
        return trusted
                ? null
                : "empty answer from a server that is neither authoritative nor recursive";
    }

    /**
     * The records of {@code type} at {@code owner} as an immutable list; an array loop, no iterator
     * per call, and no intermediate list for the usual single record.
     */
    private static List<Rr> recordsAt(Rr[] answer, DomainName owner, int type) {
        Rr first = null;
        List<Rr> more = null;
        for (Rr r : answer) {
            if (r.type == type && r.owner.equals(owner)) {
                if (first == null) {
                    first = r;
                } else {
                    if (more == null) {
                        more = new ArrayList<>(answer.length);
                        more.add(first);
                    }
                    more.add(r);
                }
            }
        }
        return more != null ? List.copyOf(more) : first != null ? List.of(first) : List.of();
    }

    /** The CNAME at {@code owner}, or null (none is followed when CNAME itself is asked for). */
    private static Rr cnameAt(Rr[] answer, DomainName owner, int type) {
        if (type == Type.CNAME) {
            return null;
        }
        for (Rr r : answer) {
            if (r.type == Type.CNAME && r.owner.equals(owner)) {
                return r;
            }
        }
        return null;
    }

    private record FinishedHost(ResolverHostResult result, Instant expires) {}

    private static CompletableFuture<Resolution> done(Resolution resolution) {
        return CompletableFuture.completedFuture(resolution);
    }

    /**
     * Progress of one resolution through its CNAME chain; used by one step at a time. As a
     * function, its last step: the result is kept ({@link #remember}) and passed on.
     */
    private final class Walk implements Function<Resolution, Resolution> {
        final int type;
        final DomainName start;
        final QuestionKey question;
        // made at the first CNAME: most walks never meet one
        List<DomainName> chain;
        Set<DomainName> visited;
        // the first answer's trace; a list only when a CNAME leads to a second question
        QueryTrace firstTrace;
        List<QueryTrace> traces;
        long ttl = Long.MAX_VALUE;
        boolean tcp;
        Answer answer; // the last answer seen

        Walk(DomainName start, int type, QuestionKey question) {
            this.type = type;
            this.start = start;
            this.question = question;
        }

        @Override
        public Resolution apply(Resolution resolution) {
            return remember(question, answer, resolution);
        }

        void observe(ServerResponse response) {
            answer = response.answer();
            if (firstTrace == null) {
                firstTrace = response.trace();
            } else {
                if (traces == null) {
                    traces = new ArrayList<>(4);
                    traces.add(firstTrace);
                }
                traces.add(response.trace());
            }
            tcp |= response.trace().transport() == Transport.TCP;
            if (response.answered()) {
                ttl = Math.min(ttl, response.ttlSeconds());
            }
        }

        /** Follows one CNAME; returns the final result if the chain is broken. */
        Resolution follow(DomainName target) {
            if (chain == null) {
                chain = new ArrayList<>();
                visited = new HashSet<>();
                chain.add(start);
                visited.add(start);
            }
            chain.add(target);
            if (!visited.add(target)) {
                return end(
                        LookupStatus.CNAME_LOOP,
                        target,
                        List.of(),
                        "CNAME loop: " + String.join(" -> ", chainNames()));
            }
            if (chain.size() - 1 > maxCnameDepth) {
                return end(
                        LookupStatus.CNAME_TOO_LONG,
                        target,
                        List.of(),
                        "CNAME chain longer than "
                                + maxCnameDepth
                                + " starting at "
                                + chain.get(0).text());
            }
            return null;
        }

        Resolution end(LookupStatus status, DomainName at, List<Rr> records, String error) {
            boolean definitive =
                    status == LookupStatus.ANSWER
                            || status == LookupStatus.NODATA
                            || status == LookupStatus.NXDOMAIN;
            long ttlSeconds = definitive && ttl != Long.MAX_VALUE ? ttl : 0;
            List<String> cnames = chain != null && chain.size() > 1 ? chainNames() : List.of();
            return new Resolution(
                    status,
                    at,
                    records, // immutable already: List.of(), or from recordsAt
                    cnames,
                    ttlSeconds,
                    tcp,
                    traces != null
                            ? List.copyOf(traces)
                            : firstTrace != null ? List.of(firstTrace) : List.of(),
                    error);
        }

        private List<String> chainNames() {
            return chain.stream().map(DomainName::text).toList();
        }
    }
}
