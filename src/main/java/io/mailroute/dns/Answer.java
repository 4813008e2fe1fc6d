package io.mailroute.dns;

import java.util.List;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;

/**
 * What the engine reads of a usable answer, taken from the parsed dnsjava {@link Message} in one
 * pass: the response code, the answer section, what the authority section says and the header flags
 * that make an empty answer trustworthy. The cache keeps this instead of the message, whose
 * question, authority and additional records (OPT, the glue a server adds for MX targets) nothing
 * reads again; and {@code Message.getRcode} walks the additional section for the OPT record on
 * every call, so it is called once here.
 */
final class Answer {

    /** The response code, extended by the OPT record's bits (RFC 6891 6.1.3). */
    final int rcode;

    /** The answer section, in the order received. */
    final Record[] records;

    /** The authority section has an SOA record (a negative answer's TTL comes from it). */
    final boolean soaInAuthority;

    /** The authority section has an NS record (with no SOA: a referral). */
    final boolean nsInAuthority;

    /** The header's AA flag. */
    final boolean authoritative;

    /** The header's RA flag. */
    final boolean recursionAvailable;

    /** Size of the message on the wire. */
    final int bytes;

    /** How long the answer may be cached per {@link AnswerTtl}, or -1 if it must not be. */
    final long ttl;

    private Answer(Message message) {
        Header header = message.getHeader();
        this.rcode = message.getRcode();
        this.records = message.getSectionArray(Section.ANSWER); // a copy: no list view

        boolean soa = false;
        boolean ns = false;
        long negative = Long.MAX_VALUE;
        List<Record> authority = message.getSection(Section.AUTHORITY);
        for (int i = 0, n = authority.size(); i < n; i++) {
            Record r = authority.get(i);
            if (r instanceof SOARecord s) {
                soa = true;
                negative = Math.min(negative, AnswerTtl.negative(s));
            } else if (r instanceof NSRecord) {
                ns = true;
            }
        }
        this.soaInAuthority = soa;
        this.nsInAuthority = ns;
        this.authoritative = header.getFlag(Flags.AA);
        this.recursionAvailable = header.getFlag(Flags.RA);
        this.bytes = message.numBytes();
        this.ttl = AnswerTtl.of(rcode, records, negative);
    }

    /** The parts of {@code message} the engine reads. */
    static Answer of(Message message) {
        return new Answer(message);
    }
}
