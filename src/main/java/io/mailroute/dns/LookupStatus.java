package io.mailroute.dns;

/** Outcome of resolving one name and type on one server, after following CNAMEs. */
enum LookupStatus {
    /** Records of the requested type exist. */
    ANSWER,
    /** The name exists but has no records of the requested type. */
    NODATA,
    /** The name (or the end of its CNAME chain) does not exist. */
    NXDOMAIN,
    /** No definitive answer: SERVFAIL, REFUSED, timeout, network error, unusable answer. */
    TEMPFAIL,
    /** The CNAME chain returns to a name already visited. */
    CNAME_LOOP,
    /** The CNAME chain is longer than the configured limit. */
    CNAME_TOO_LONG
}
