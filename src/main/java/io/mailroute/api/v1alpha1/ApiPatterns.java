package io.mailroute.api.v1alpha1;

/**
 * Regular expressions shared by the CRD schema ({@code @Pattern}) and documentation. They are the
 * first line of defence; the operator re-validates everything with {@code io.mailroute.postfix}
 * before rendering.
 */
public final class ApiPatterns {
    /**
     * A DNS name: LDH labels separated by dots, optional trailing dot; IDN (non-ASCII letters)
     * allowed, converted later.
     */
    public static final String DOMAIN =
            "^([\\p{L}\\p{N}]([\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?\\.)+[\\p{L}\\p{N}]([\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?\\.?$";

    /** A next-hop host: a DNS name or an IPv4/IPv6 literal (no brackets, no port). */
    public static final String HOST = "^([A-Za-z0-9.-]{1,253}|[0-9A-Fa-f:.]{2,45})$";

    /** A Kubernetes object name (DNS-1123 subdomain). */
    public static final String OBJECT_NAME = "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$";

    /** A Kubernetes namespace name (DNS-1123 label). */
    public static final String NAMESPACE = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";

    /** A Secret data key. */
    public static final String SECRET_KEY = "^[-._a-zA-Z0-9]{1,253}$";

    /** A container image reference, without whitespace. */
    public static final String IMAGE = "^[^\\s]{1,512}$";

    /** An IPv4 or IPv6 network in CIDR notation, or a single address. */
    public static final String CIDR = "^([0-9.]{7,15}|[0-9A-Fa-f:.]{2,45})(/[0-9]{1,3})?$";

    /** A storage quantity such as 1Gi or 500Mi. */
    public static final String QUANTITY = "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$";

    private ApiPatterns() {}
}
