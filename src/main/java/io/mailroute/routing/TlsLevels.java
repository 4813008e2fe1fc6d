package io.mailroute.routing;

import io.mailroute.api.v1alpha1.Defaults;
import io.mailroute.api.v1alpha1.TlsPolicy;
import io.mailroute.postfix.TlsLevel;

/**
 * The API's {@link TlsPolicy} as the renderer's {@link TlsLevel}; a new API value does not compile
 * until mapped.
 */
public final class TlsLevels {
    private TlsLevels() {}

    /** The level for {@code policy}; unset means {@link Defaults#TLS}. */
    public static TlsLevel of(TlsPolicy policy) {
        return switch (policy == null ? Defaults.TLS : policy) {
            case NONE -> TlsLevel.NONE;
            case MAY -> TlsLevel.MAY;
            case ENCRYPT -> TlsLevel.ENCRYPT;
            case VERIFY -> TlsLevel.VERIFY;
            case SECURE -> TlsLevel.SECURE;
            case DANE -> TlsLevel.DANE;
        };
    }
}
