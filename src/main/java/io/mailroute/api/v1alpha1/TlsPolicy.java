package io.mailroute.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Postfix TLS security level for a route's next hops (smtp_tls_security_level values). */
public enum TlsPolicy {
    @JsonProperty("none")
    NONE,
    @JsonProperty("may")
    MAY,
    @JsonProperty("encrypt")
    ENCRYPT,
    @JsonProperty("verify")
    VERIFY,
    @JsonProperty("secure")
    SECURE,
    @JsonProperty("dane")
    DANE
}
