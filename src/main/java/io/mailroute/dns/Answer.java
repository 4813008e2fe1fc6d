package io.mailroute.dns;

/**
 * What the engine reads of a usable answer, read from the wire by {@link WireAnswer} in one pass:
 * the response code, the answer section, what the authority section says, the header flags that
 * make an empty answer trustworthy, and what the size check needs. The cache keeps this, not the
 * message: nothing reads its question, authority or additional records (the glue a server adds for
 * MX targets) again.
 */
final class Answer {

    /** The response code, extended by the OPT record's bits (RFC 6891 6.1.3). */
    final int rcode;

    /** The answer section, in the order received. */
    final Rr[] records;

    /** The authority section has an SOA record (a negative answer's TTL comes from it). */
    final boolean soaInAuthority;

    /** The authority section has an NS record (with no SOA: a referral). */
    final boolean nsInAuthority;

    /** The header's AA flag. */
    final boolean authoritative;

    /** The header's RA flag. */
    final boolean recursionAvailable;

    /** The header's TC flag: the server cut the answer to fit (RFC 1035 4.1.1). */
    final boolean truncated;

    /** The OPT record's UDP payload size (RFC 6891 6.1.2), or -1 when the answer has no OPT. */
    final int optPayload;

    /** Size of the message on the wire. */
    final int bytes;

    /** How long the answer may be cached per {@link AnswerTtl}, or -1 if it must not be. */
    final long ttl;

    Answer(
            int rcode,
            Rr[] records,
            boolean soaInAuthority,
            boolean nsInAuthority,
            boolean authoritative,
            boolean recursionAvailable,
            boolean truncated,
            int optPayload,
            int bytes,
            long ttl) {
        this.rcode = rcode;
        this.records = records;
        this.soaInAuthority = soaInAuthority;
        this.nsInAuthority = nsInAuthority;
        this.authoritative = authoritative;
        this.recursionAvailable = recursionAvailable;
        this.truncated = truncated;
        this.optPayload = optPayload;
        this.bytes = bytes;
        this.ttl = ttl;
    }
}
