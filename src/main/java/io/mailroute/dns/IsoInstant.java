package io.mailroute.dns;

import java.time.Instant;

/**
 * {@link Instant#toString()} without its formatter: every check's report carries its {@code
 * checkedAt}, and the operator writes a {@code checkedAt} and a jittered {@code nextCheckAt} per
 * domain check; formatting them through {@code DateTimeFormatter} was the largest single allocation
 * of a check, and of the operator's validation. The text is written straight into one array from
 * the date's fields (civil-from-days arithmetic); only years outside 0000..9999, which ISO-8601
 * prints with a sign, go through {@link Instant#toString()}.
 */
public final class IsoInstant {

    /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: four-digit years, printed without sign. */
    private static final long MIN_PLAIN = -62_167_219_200L;

    private static final long MAX_PLAIN = 253_402_300_799L;

    private IsoInstant() {}

    /** Exactly {@code t.toString()}. */
    public static String of(Instant t) {
        long epochSecond = t.getEpochSecond();
        if (epochSecond < MIN_PLAIN || epochSecond > MAX_PLAIN) {
            return t.toString();
        }
        int nano = t.getNano();
        // ISO_INSTANT prints the fraction in groups of three digits, as many as needed
        int digits;
        int fraction;
        if (nano == 0) {
            digits = 0;
            fraction = 0;
        } else if (nano % 1_000_000 == 0) {
            digits = 3;
            fraction = nano / 1_000_000;
        } else if (nano % 1_000 == 0) {
            digits = 6;
            fraction = nano / 1_000;
        } else {
            digits = 9;
            fraction = nano;
        }
        byte[] b = new byte[20 + (digits == 0 ? 0 : digits + 1)];
        long days = Math.floorDiv(epochSecond, 86_400L);
        int secondOfDay = (int) Math.floorMod(epochSecond, 86_400L);
        // civil from days (H. Hinnant): the proleptic Gregorian date of a day since 1970-01-01
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097L);
        long dayOfEra = z - era * 146_097;
        long yearOfEra =
                (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long mp = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        int year = (int) (yearOfEra + era * 400 + (month <= 2 ? 1 : 0));
        digits(b, 0, year, 4);
        b[4] = '-';
        digits(b, 5, month, 2);
        b[7] = '-';
        digits(b, 8, day, 2);
        b[10] = 'T';
        digits(b, 11, secondOfDay / 3600, 2);
        b[13] = ':';
        digits(b, 14, secondOfDay / 60 % 60, 2);
        b[16] = ':';
        digits(b, 17, secondOfDay % 60, 2);
        if (digits > 0) {
            b[19] = '.';
            digits(b, 20, fraction, digits);
        }
        b[b.length - 1] = 'Z';
        return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static void digits(byte[] b, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            b[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }
}
