package io.mailroute.postfix;

import java.util.Locale;

/**
 * Postfix SMTP client TLS security levels (see Postfix TLS_README, "TLS policy table"). {@link
 * #DANE} needs DNSSEC validation and falls back to opportunistic TLS when no usable TLSA records
 * exist.
 */
public enum TlsLevel {
    /** No TLS. */
    NONE,
    /** Opportunistic TLS: encrypt when offered, otherwise plaintext. */
    MAY,
    /** Mandatory encryption, certificate not checked. */
    ENCRYPT,
    /** Mandatory encryption, certificate must match the (possibly DNS-derived) server name. */
    VERIFY,
    /** Mandatory encryption, certificate must match the next-hop name. */
    SECURE,
    /** Opportunistic DANE: TLSA records from DNSSEC-signed zones pin the certificate. */
    DANE;

    /** The keyword Postfix expects in {@code smtp_tls_policy_maps}, e.g. {@code verify}. */
    public String postfixLevel() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * True when this level never falls back to plaintext, so a password can be sent safely. {@link
     * #DANE} is not mandatory: without usable TLSA records Postfix treats it like {@link #MAY}.
     */
    public boolean isMandatory() {
        return this == ENCRYPT || this == VERIFY || this == SECURE;
    }
}
