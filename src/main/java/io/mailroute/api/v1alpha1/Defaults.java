package io.mailroute.api.v1alpha1;

/**
 * The one home of the API's defaults: the CRD schema ({@code @Default}, which needs constant
 * strings), the field initialisers and the code that fills in a value the API server left unset all
 * read them here. The Helm chart's {@code defaultRelay} is checked against them (ChartTest).
 */
public final class Defaults {
    /** Port of a next hop ({@code hosts[].port}, {@code mx.port}): SMTP. */
    public static final int SMTP_PORT = 25;

    /**
     * Port of a smarthost ({@code relay.port}, {@code defaultRoute.smarthost.port}): submission.
     */
    public static final int SUBMISSION_PORT = 587;

    /** TLS policy of a route and of the default route. */
    public static final TlsPolicy TLS = TlsPolicy.MAY;

    /**
     * {@link #TLS} as written in the API (a constant for {@code @Default}; DefaultsTest keeps the
     * two in line).
     */
    public static final String TLS_VALUE = "may";

    /** Relay pods of a MailRelay. */
    public static final int REPLICAS = 1;

    /** Size of each relay pod's queue volume. */
    public static final String QUEUE_SIZE = "1Gi";

    private Defaults() {}
}
