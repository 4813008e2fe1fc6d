package io.mailroute.dns;

import java.time.Instant;

/**
 * {@link Instant#toString()} without its formatter for every report: the text of the whole second
 * is kept and only the fraction is appended. Every check's report carries its {@code checkedAt},
 * and formatting it through {@code DateTimeFormatter} was the largest single allocation of a check.
 */
final class IsoInstant {

    private record Second(long epochSecond, String text) {}

    private static volatile Second last = new Second(0, "1970-01-01T00:00:00");

    private IsoInstant() {}

    /** Exactly {@code t.toString()}. */
    static String of(Instant t) {
        Second s = last;
        if (s.epochSecond() != t.getEpochSecond()) {
            String whole = Instant.ofEpochSecond(t.getEpochSecond()).toString();
            if (!whole.endsWith("Z")) {
                return t.toString();
            }
            s = new Second(t.getEpochSecond(), whole.substring(0, whole.length() - 1));
            last = s;
        }
        int nano = t.getNano();
        if (nano == 0) {
            return s.text() + "Z";
        }
        // ISO_INSTANT prints the fraction in groups of three digits, as many as needed
        int digits;
        int value;
        if (nano % 1_000_000 == 0) {
            digits = 3;
            value = nano / 1_000_000;
        } else if (nano % 1_000 == 0) {
            digits = 6;
            value = nano / 1_000;
        } else {
            digits = 9;
            value = nano;
        }
        StringBuilder b = new StringBuilder(s.text().length() + digits + 2);
        b.append(s.text()).append('.');
        String fraction = Integer.toString(value);
        for (int i = fraction.length(); i < digits; i++) {
            b.append('0');
        }
        return b.append(fraction).append('Z').toString();
    }
}
