package io.mailroute.dns;

/**
 * Counters of a {@link MxLookupService} since it was created, summed over its servers.
 *
 * @param queriesSent DNS messages sent on the wire (UDP and TCP, retries and re-asks included)
 * @param cacheHits questions answered from the cache
 * @param coalescedQuestions questions that shared an identical question already on the wire
 * @param cachedAnswers answers in the caches now
 * @param checksWaiting checks waiting for a free slot now (see {@link
 *     DnsResolverConfig#maxConcurrentChecks()})
 */
public record DnsEngineStats(
        long queriesSent,
        long cacheHits,
        long coalescedQuestions,
        long cachedAnswers,
        int checksWaiting) {}
