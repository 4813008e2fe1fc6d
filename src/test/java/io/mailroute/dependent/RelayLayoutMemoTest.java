package io.mailroute.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RelayLayoutMemoTest {
    private final AtomicLong now = new AtomicLong();
    private final RelayLayoutMemo memo = new RelayLayoutMemo(Duration.ofMinutes(15), now::get);
    private final ResourceID a = new ResourceID("a", "ns");
    private final ResourceID b = new ResourceID("b", "ns");
    private final Map<String, List<RelayConfigLayout.Digested>> parts =
            Map.of("transport", List.of(new RelayConfigLayout.Digested(new byte[] {1}, "d")));

    @Test
    void aRelayFindsWhatItRememberedAndNothingOfAnother() {
        assertThat(memo.previous(a)).isEmpty();
        memo.remember(a, parts);
        assertThat(memo.previous(a)).isSameAs(parts);
        assertThat(memo.previous(b)).isEmpty();
    }

    @Test
    void aRenderingWithoutPartsOrWithoutConfigurationForgetsTheRelay() {
        memo.remember(a, parts);
        memo.remember(a, null);
        assertThat(memo.previous(a)).isEmpty();
        memo.remember(a, parts);
        memo.forget(a);
        assertThat(memo.previous(a)).isEmpty();
        assertThat(memo.size()).isZero();
    }

    @Test
    void aRelayNotRenderedForLongerThanIdleIsDroppedAtTheNextCallForAnyRelay() {
        memo.remember(a, parts);
        now.addAndGet(Duration.ofMinutes(10).toNanos());
        memo.remember(b, parts);
        now.addAndGet(Duration.ofMinutes(10).toNanos());
        // a: 20 minutes since its rendering (deleted); b: 10 (reconciled every five at most)
        assertThat(memo.previous(b)).isSameAs(parts);
        assertThat(memo.size()).isEqualTo(1);
        assertThat(memo.previous(a)).isEmpty();
    }
}
