package io.mailroute.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IsoInstantTest {

    @Test
    void sameTextAsInstantToString() {
        SplittableRandom random = new SplittableRandom(42);
        long now = Instant.parse("2026-11-30T05:00:00Z").getEpochSecond();
        int[] nanos = {0, 1, 999, 1_000, 120_000, 1_000_000, 5_000_000, 999_999_999, 100_000_000};
        for (long second :
                new long[] {0, 1, now, now + 1, -1, 253_402_300_799L, 253_402_300_800L}) {
            for (int nano : nanos) {
                Instant t = Instant.ofEpochSecond(second, nano);
                assertThat(IsoInstant.of(t)).isEqualTo(t.toString());
            }
        }
        for (int i = 0; i < 10_000; i++) {
            Instant t =
                    Instant.ofEpochSecond(now + random.nextInt(3), random.nextInt(1_000_000_000));
            assertThat(IsoInstant.of(t)).isEqualTo(t.toString());
            Instant micros = Instant.ofEpochSecond(now, random.nextInt(1_000_000) * 1_000L);
            assertThat(IsoInstant.of(micros)).isEqualTo(micros.toString());
        }
    }

    @Test
    void sameTextForSecondsPrintedFromTheirFieldsAndAroundTheFourDigitYears() {
        // jittered nextCheckAt times rarely share a second: each is printed from its fields
        SplittableRandom random = new SplittableRandom(7);
        long year0 = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
        long year9999 = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (long second :
                new long[] {
                    year0 - 1,
                    year0,
                    year0 + 1,
                    year9999 - 1,
                    year9999,
                    year9999 + 1,
                    Instant.parse("2024-02-29T23:59:59Z").getEpochSecond(),
                    Instant.parse("2100-03-01T00:00:00Z").getEpochSecond(),
                    Instant.MIN.getEpochSecond(),
                    Instant.MAX.getEpochSecond()
                }) {
            Instant t = Instant.ofEpochSecond(second, 5_000_000);
            assertThat(IsoInstant.of(t)).isEqualTo(t.toString());
            assertThat(IsoInstant.of(t.plusNanos(-5_000_000)))
                    .isEqualTo(t.plusNanos(-5_000_000).toString());
        }
        for (int i = 0; i < 20_000; i++) {
            Instant t =
                    Instant.ofEpochSecond(
                            random.nextLong(year0 - 86_400 * 400L, year9999 + 86_400 * 400L),
                            random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000_000));
            assertThat(IsoInstant.of(t)).isEqualTo(t.toString());
        }
    }
}
