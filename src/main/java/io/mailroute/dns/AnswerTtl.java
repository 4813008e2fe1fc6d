package io.mailroute.dns;

import java.util.List;
import java.util.OptionalLong;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;

/** How long an answer may be trusted, per RFC 1035 (positive) and RFC 2308 (negative). */
final class AnswerTtl {

    private AnswerTtl() {}

    /**
     * Smallest TTL of the answer section for answers with data; for NXDOMAIN and NODATA the SOA's
     * negative TTL, min(SOA TTL, SOA minimum). Empty when the answer must not be cached (errors,
     * negative answers without SOA).
     */
    static OptionalLong of(Message message) {
        int rcode = message.getRcode();
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            return OptionalLong.empty();
        }
        // loops, not streams: this runs for every answer received
        long negative = Long.MAX_VALUE;
        for (Record r : message.getSection(Section.AUTHORITY)) {
            if (r instanceof SOARecord soa) {
                negative = Math.min(negative, Math.min(soa.getTTL(), soa.getMinimum()));
            }
        }
        List<Record> answer = message.getSection(Section.ANSWER);
        if (answer.isEmpty()) {
            return negative == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(negative);
        }
        long positive = Long.MAX_VALUE;
        for (Record r : answer) {
            positive = Math.min(positive, r.getTTL());
        }
        return OptionalLong.of(Math.min(positive, negative));
    }
}
