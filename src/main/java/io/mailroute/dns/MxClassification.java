package io.mailroute.dns;

/** What the DNS says about a domain's mail exchangers. */
public enum MxClassification {
    /** MX records exist. */
    OK,
    /** The domain exists without MX records: its own A/AAAA are the implicit MX (RFC 5321 5.1). */
    NODATA,
    /** The domain does not exist. */
    NXDOMAIN,
    /** A single "0 ." MX: the domain accepts no mail (RFC 7505). */
    NULL_MX,
    /** "." mixed with real MX records: misconfigured (RFC 7505 3). */
    NULL_MX_MIXED,
    /**
     * No definitive answer (SERVFAIL, REFUSED, timeout, network error, truncation that TCP could
     * not resolve, CNAME loop). Never treated as "no MX": no implicit MX is derived from it.
     */
    TEMPFAIL
}
