package io.mailroute.dns;

/** Summary of a report for callers that need one decision. */
public enum Verdict {
    /** Route proven: no warnings, no errors, resolvers agree. */
    PASS,
    /** Route proven, but with warnings or resolver disagreement. */
    WARN,
    /** Mail cannot be delivered as configured (errors). */
    FAIL,
    /** No definitive answer yet: check again later. */
    RETRY
}
