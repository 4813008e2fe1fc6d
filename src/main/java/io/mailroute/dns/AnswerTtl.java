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
        List<Record> answer = message.getSection(Section.ANSWER);
        OptionalLong negative =
                message.getSection(Section.AUTHORITY).stream()
                        .filter(SOARecord.class::isInstance)
                        .map(SOARecord.class::cast)
                        .mapToLong(soa -> Math.min(soa.getTTL(), soa.getMinimum()))
                        .min();
        if (answer.isEmpty()) {
            return negative;
        }
        long positive = answer.stream().mapToLong(Record::getTTL).min().orElseThrow();
        return OptionalLong.of(
                negative.isPresent() ? Math.min(positive, negative.getAsLong()) : positive);
    }
}
