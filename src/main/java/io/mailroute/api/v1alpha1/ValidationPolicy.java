package io.mailroute.api.v1alpha1;

/** What the operator does when live DNS checks of a route fail. */
public enum ValidationPolicy {
    /**
     * Failing routes are reported and not rendered (last known good next hops are kept on temporary
     * failures).
     */
    Enforce,
    /** Failures are reported in status, the route is rendered anyway. */
    Warn,
    /** No DNS checks. */
    Off
}
