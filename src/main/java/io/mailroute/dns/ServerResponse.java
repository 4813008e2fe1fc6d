package io.mailroute.dns;

/**
 * The outcome of one question to one server: the usable (never truncated) answer, or none.
 *
 * @param answer the answer, null when no usable answer arrived
 * @param trace what happened on the wire
 * @param ttlSeconds how long this answer stays valid (remaining time when served from the cache)
 */
record ServerResponse(Answer answer, QueryTrace trace, long ttlSeconds) {

    boolean answered() {
        return answer != null;
    }
}
