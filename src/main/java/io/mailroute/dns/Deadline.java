package io.mailroute.dns;

import java.time.Duration;

/** The point in (monotonic) time by which a whole check must be finished. */
final class Deadline {

    private final long endNanos;

    private Deadline(long endNanos) {
        this.endNanos = endNanos;
    }

    static Deadline after(Duration budget) {
        return new Deadline(System.nanoTime() + budget.toNanos());
    }

    long remainingMillis() {
        return Math.max(0, (endNanos - System.nanoTime()) / 1_000_000);
    }

    boolean expired() {
        return remainingMillis() <= 0;
    }

    /** The timeout for the next exchange: the per-query timeout, cut short by the deadline. */
    long nextTimeoutMillis(Duration queryTimeout) {
        return Math.min(queryTimeout.toMillis(), remainingMillis());
    }
}
