package io.mailroute.dns;

import org.xbill.DNS.Message;

/**
 * The outcome of one question to one server: the usable (never truncated) answer, or none.
 *
 * @param message the answer, null when no usable answer arrived
 * @param trace what happened on the wire
 * @param ttlSeconds how long this answer stays valid (remaining time when served from the cache)
 */
record ServerResponse(Message message, QueryTrace trace, long ttlSeconds) {

    boolean answered() {
        return message != null;
    }
}
