package io.mailroute.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.testing.RealComponents;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * docs/argocd-health.lua, run by a real Lua 5.4 interpreter (Argo CD's gopher-lua speaks the same
 * subset).
 */
@RealComponents
class ArgoHealthCheckTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "ready and observed           | 2 | 2 | True  | Ready         | Healthy",
                "ready but not yet observed   | 3 | 2 | True  | Ready         | Progressing",
                "null MX needs a change       | 2 | 2 | False | NullMx        | Degraded",
                "relay not found              | 1 | 1 | False | RelayNotFound | Degraded",
                "waiting for the relay config | 1 | 1 | False | Pending       | Progressing",
                "temporary DNS failure        | 1 | 1 | False | MxLookupTempFail | Progressing",
            })
    void healthFollowsReadyAndObservedGeneration(
            String label,
            int generation,
            int observed,
            String status,
            String reason,
            String expected)
            throws Exception {
        String obj =
                "obj={metadata={generation=%d},status={observedGeneration=%d,conditions={{type='Ready',"
                                .formatted(generation, observed)
                        + "status='%s',reason='%s',message='m'}}}}".formatted(status, reason);
        Process lua =
                new ProcessBuilder(
                                "lua5.4",
                                "-e",
                                obj
                                        + "; local hs=dofile('docs/argocd-health.lua'); io.write(hs.status)")
                        .redirectErrorStream(true)
                        .start();
        String out = new String(lua.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(lua.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(out).isEqualTo(expected);
    }
}
