package io.mailroute.dns;

import java.util.ArrayList;
import java.util.List;

/**
 * What happened to one DNS question sent to one server.
 *
 * @param server the server asked, "ip:port"
 * @param name the name asked for, without the final dot
 * @param type the record type asked for, e.g. "MX"
 * @param rcode the response code of the answer used ("NOERROR", "SERVFAIL", ...), null if none
 * @param transport the transport of the answer used (for failures: the last one tried)
 * @param truncatedRetriedOverTcp the UDP answer had TC set, so the question was asked again over
 *     TCP
 * @param ednsFallback the server rejected EDNS, so the question was asked again without it
 * @param cached answered from the engine's cache; no packet was sent
 * @param latencyMillis time from the first packet to the answer used, all retries included
 * @param answerCount records in the answer section
 * @param responseBytes size of the answer used on the wire (0 when none)
 * @param error why no usable answer was obtained, null on success
 * @param udpShortened set when a UDP answer without TC filled (almost) its size limit and the same
 *     question over TCP gave other records: the UDP answer was cut short silently and the TCP
 *     answer was used; null otherwise
 */
public record QueryTrace(
        String server,
        String name,
        String type,
        String rcode,
        Transport transport,
        boolean truncatedRetriedOverTcp,
        boolean ednsFallback,
        boolean cached,
        long latencyMillis,
        int answerCount,
        int responseBytes,
        String error,
        String udpShortened) {

    QueryTrace fromCache() {
        return new QueryTrace(
                server,
                name,
                type,
                rcode,
                transport,
                truncatedRetriedOverTcp,
                ednsFallback,
                true,
                0,
                answerCount,
                responseBytes,
                error,
                udpShortened);
    }

    /** One warning per answer that was cut short over UDP without TC (see {@code udpShortened}). */
    static List<String> shortenedWarnings(List<QueryTrace> traces) {
        List<String> out = null; // almost always none: no list, no stream per check
        for (QueryTrace t : traces) {
            if (t.udpShortened() != null) {
                if (out == null) {
                    out = new ArrayList<>();
                }
                out.add(
                        t.type()
                                + " "
                                + t.name()
                                + " from "
                                + t.server()
                                + ": "
                                + t.udpShortened());
            }
        }
        return out == null ? List.of() : List.copyOf(out);
    }
}
