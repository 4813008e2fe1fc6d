package io.mailroute.dns;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * {@link Instant#toString()} without its formatter: every check's report carries its {@code
 * checkedAt}, and the operator writes a {@code checkedAt} and a jittered {@code nextCheckAt} per
 * domain check; formatting them through {@code DateTimeFormatter} was the largest single allocation
 * of a check, and of the operator's validation. The text of the last whole second is kept (checks
 * finishing in the same second share it); other seconds are printed from their fields, and only
 * years outside 0000..9999 (which ISO-8601 prints with a sign) go through {@link
 * Instant#toString()}.
 */
public final class IsoInstant {

    private record Second(long epochSecond, String text) {}

    /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: four-digit years, printed without sign. */
    private static final long MIN_PLAIN = -62_167_219_200L;

    private static final long MAX_PLAIN = 253_402_300_799L;

    private static volatile Second last = new Second(0, "1970-01-01T00:00:00");

    private IsoInstant() {}

    /** Exactly {@code t.toString()}. */
    public static String of(Instant t) {
        long epochSecond = t.getEpochSecond();
        Second s = last;
        String whole;
        if (s.epochSecond() == epochSecond) {
            whole = s.text();
        } else if (epochSecond < MIN_PLAIN || epochSecond > MAX_PLAIN) {
            return t.toString();
        } else {
            whole = wholeSecond(epochSecond);
            last = new Second(epochSecond, whole);
        }
        int nano = t.getNano();
        if (nano == 0) {
            return whole + "Z";
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
        StringBuilder b = new StringBuilder(whole.length() + digits + 2);
        b.append(whole).append('.');
        String fraction = Integer.toString(value);
        for (int i = fraction.length(); i < digits; i++) {
            b.append('0');
        }
        return b.append(fraction).append('Z').toString();
    }

    /** {@code yyyy-MM-ddTHH:mm:ss} of a second in years 0000..9999, UTC. */
    private static String wholeSecond(long epochSecond) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        char[] c = new char[19];
        digits(c, 0, t.getYear(), 4);
        c[4] = '-';
        digits(c, 5, t.getMonthValue(), 2);
        c[7] = '-';
        digits(c, 8, t.getDayOfMonth(), 2);
        c[10] = 'T';
        digits(c, 11, t.getHour(), 2);
        c[13] = ':';
        digits(c, 14, t.getMinute(), 2);
        c[16] = ':';
        digits(c, 17, t.getSecond(), 2);
        return new String(c);
    }

    private static void digits(char[] c, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
