package io.mailroute.validation;

import java.time.Duration;

/**
 * Timing and thresholds of live validation.
 *
 * @param minRecheck shortest interval between checks of a domain (TTLs below it are clamped up)
 * @param maxRecheck longest interval between checks (TTLs above it are clamped down)
 * @param tempFailBackoff first retry delay after a temporary failure; doubles per failure up to
 *     maxRecheck
 * @param hardFailureThreshold consecutive definite failures before what is rendered changes
 */
public record ValidationSettings(
        Duration minRecheck,
        Duration maxRecheck,
        Duration tempFailBackoff,
        int hardFailureThreshold) {
    public ValidationSettings {
        if (minRecheck.isNegative()
                || maxRecheck.compareTo(minRecheck) < 0
                || hardFailureThreshold < 1) {
            throw new IllegalArgumentException("invalid validation settings");
        }
    }

    public static ValidationSettings defaults() {
        return new ValidationSettings(
                Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofSeconds(30), 3);
    }
}
