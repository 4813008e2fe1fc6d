package io.mailroute.dns;

/** Whether a mail host name leads to addresses. */
public enum HostStatus {
    /** At least one A or AAAA record. */
    RESOLVED,
    /** The name exists but has neither A nor AAAA records (hard failure). */
    NO_ADDRESS,
    /** The name does not exist (hard failure). */
    NXDOMAIN,
    /** No definitive answer (soft failure: retry later). */
    TEMPFAIL,
    /** The "name" is an IP address such as 192.0.2.1 or [192.0.2.1]; not looked up. */
    IP_LITERAL,
    /** The CNAME chain loops (hard failure). */
    CNAME_LOOP,
    /** The CNAME chain exceeds the configured depth (hard failure). */
    CNAME_TOO_LONG
}
