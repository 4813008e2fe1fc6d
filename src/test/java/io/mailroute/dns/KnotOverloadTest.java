package io.mailroute.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.dns.fixtures.KnotServer;
import io.mailroute.testing.RealComponents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Many more checks at once than the engine runs at once, against a real server: the excess waits
 * for a slot instead of being rejected, so none of them ends as TEMPFAIL (the engine used to reject
 * work beyond its executor's queue of 1024 and report it as a temporary failure).
 */
@RealComponents
class KnotOverloadTest {

    @Test
    void fiveThousandConcurrentChecksAllGetADefinitiveAnswer() throws Exception {
        int n = 5000;
        try (KnotServer knot = KnotServer.start();
                MxLookupService service =
                        new MxLookupService(
                                TestConfigs.answering(knot.address())
                                        // generous: a busy CI machine must not turn into TEMPFAIL
                                        .withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(20))
                                        .withMaxConcurrentChecks(64))) {
            List<CompletableFuture<MxReport>> checks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                // distinct names: nothing is shared, every check goes to the wire
                checks.add(service.checkAsync("absent" + i + ".mx.test"));
            }
            checks.add(service.checkAsync("dangling.mx.test"));

            Map<MxClassification, Integer> counts = new EnumMap<>(MxClassification.class);
            for (CompletableFuture<MxReport> check : checks) {
                counts.merge(check.get().classification(), 1, Integer::sum);
            }
            assertThat(counts).containsEntry(MxClassification.NXDOMAIN, n);
            assertThat(counts).doesNotContainKey(MxClassification.TEMPFAIL);
            assertThat(service.queriesSent()).isGreaterThanOrEqualTo(n);
            assertThat(service.stats().checksWaiting()).isZero();
        }
    }
}
