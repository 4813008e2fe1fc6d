package io.mailroute.dns;

import java.time.Duration;
import java.time.Instant;
import org.xbill.DNS.Rcode;

/** How long an answer may be trusted, per RFC 1035 (positive) and RFC 2308 (negative). */
final class AnswerTtl {

    private AnswerTtl() {}

    /**
     * Whole seconds an answer (or a result kept from answers) that expires at {@code expires} still
     * lives at {@code now}: at least 1 while it lives, so a cache hit never hands out a TTL of 0
     * that a caller would read as "do not cache"; 0 once it expired.
     */
    static long remaining(Instant now, Instant expires) {
        return now.isBefore(expires) ? Math.max(1, Duration.between(now, expires).toSeconds()) : 0;
    }

    /**
     * Smallest TTL of the answer section for answers with data; for NXDOMAIN and NODATA the SOA's
     * negative TTL, min(SOA TTL, SOA minimum); -1 when the answer must not be cached (errors,
     * negative answers without SOA). {@code negative} is the smallest min(SOA TTL, SOA minimum) of
     * the authority section's SOA records (RFC 2308 5), {@code Long.MAX_VALUE} if it has none; an
     * answer with data and an SOA is kept no longer than either.
     */
    static long of(int rcode, Rr[] answer, long negative) {
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            return -1;
        }
        if (answer.length == 0) {
            return negative == Long.MAX_VALUE ? -1 : negative;
        }
        long positive = Long.MAX_VALUE;
        for (Rr r : answer) {
            positive = Math.min(positive, r.ttl);
        }
        return Math.min(positive, negative);
    }
}
