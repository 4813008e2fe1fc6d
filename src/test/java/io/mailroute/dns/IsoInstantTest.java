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
}
