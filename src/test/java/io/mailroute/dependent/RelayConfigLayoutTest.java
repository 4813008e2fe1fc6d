package io.mailroute.dependent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailroute.postfix.PostfixConfig;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RelayConfigLayoutTest {

    @Test
    void aSmallConfigurationStaysInOneConfigMapAsBefore() {
        PostfixConfig config = config(100);
        RelayConfigLayout.Layout layout = RelayConfigLayout.of(config, "h");
        assertThat(layout.shards()).isEmpty();
        assertThat(layout.main())
                .containsEntry("transport", config.transport())
                .containsEntry("tls_policy", config.tlsPolicy())
                .containsEntry("main.cf", config.mainCf())
                .containsEntry("config-hash", "h")
                .doesNotContainKeys("transport.parts");
    }

    @Test
    void aLargeConfigurationIsCutAtLinesIntoPartsThatReassembleExactly() {
        PostfixConfig config = config(60_000);
        RelayConfigLayout.Layout layout = RelayConfigLayout.of(config, "h");
        assertThat(layout.main())
                .doesNotContainKeys("transport", "tls_policy")
                .containsKeys("transport.parts", "tls_policy.parts", "main.cf", "config-hash");
        assertThat(layout.shards())
                .hasSizeGreaterThan(3)
                .allSatisfy(
                        shard -> {
                            assertThat(shard).hasSize(1);
                            String part = shard.values().iterator().next();
                            assertThat(part.getBytes(StandardCharsets.UTF_8).length)
                                    .isLessThanOrEqualTo(RelayConfigLayout.PART_BYTES);
                            assertThat(part).endsWith("\n");
                        });
        assertThat(RelayConfigLayout.read("transport", layout.main(), shard(layout)))
                .contains(config.transport());
        assertThat(RelayConfigLayout.read("tls_policy", layout.main(), shard(layout)))
                .contains(config.tlsPolicy());
        String firstLine = layout.main().get("transport.parts").lines().findFirst().orElseThrow();
        assertThat(firstLine).matches("transport\\.part-001 1 [0-9a-f]{64}");
        // rendering the same configuration again gives the same objects (no needless writes)
        assertThat(RelayConfigLayout.of(config, "h")).isEqualTo(layout);
    }

    @Test
    void aMissingOrStalePartMeansNothingIsReadYet() {
        RelayConfigLayout.Layout layout = RelayConfigLayout.of(config(60_000), "h");
        Map<Integer, Map<String, String>> shards = new HashMap<>();
        for (int i = 0; i < layout.shards().size(); i++) {
            shards.put(i + 1, layout.shards().get(i));
        }
        Map<Integer, Map<String, String>> missing = new HashMap<>(shards);
        missing.remove(2);
        assertThat(RelayConfigLayout.read("transport", layout.main(), missing::get)).isEmpty();
        Map<Integer, Map<String, String>> stale = new HashMap<>(shards);
        String key = shards.get(2).keySet().iterator().next();
        stale.put(2, Map.of(key, shards.get(2).get(key).replaceFirst("smtp:", "relay:")));
        assertThat(RelayConfigLayout.read("transport", layout.main(), stale::get)).isEmpty();
        assertThat(RelayConfigLayout.read("transport", layout.main(), shards::get)).isPresent();
    }

    @Test
    void splitKeepsLinesWholeAndRefusesALineLargerThanAPart() {
        assertThat(RelayConfigLayout.split("a\nbb\nccc\n", 5)).containsExactly("a\nbb\n", "ccc\n");
        assertThat(RelayConfigLayout.split("", 5)).containsExactly("");
        assertThatThrownBy(() -> RelayConfigLayout.split("abcdef\n", 5))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theRelaysPodsMountEveryShardTheLayoutCanUse() {
        assertThat(RelayStatefulSetDependent.configSources("r"))
                .hasSize(RelayConfigLayout.MAX_SHARDS + 1)
                .extracting(s -> s.getConfigMap().getName())
                .containsExactlyElementsOf(
                        java.util.stream.Stream.concat(
                                        java.util.stream.Stream.of("r-config"),
                                        IntStream.rangeClosed(1, RelayConfigLayout.MAX_SHARDS)
                                                .mapToObj(n -> "r-config-" + n))
                                .toList());
        assertThat(RelayObjects.isConfigShardName("r", "r-config-16")).isTrue();
        assertThat(RelayObjects.isConfigShardName("r", "r-config")).isFalse();
        assertThat(RelayObjects.isConfigShardName("r", "r-config-x")).isFalse();
        assertThat(RelayObjects.isConfigShardName("r", "r-config-01")).isFalse();
    }

    private static java.util.function.Function<Integer, Map<String, String>> shard(
            RelayConfigLayout.Layout layout) {
        return n -> layout.shards().get(n - 1);
    }

    private static PostfixConfig config(int domains) {
        List<Integer> range = IntStream.range(0, domains).boxed().toList();
        String transport =
                range.stream()
                        .map(i -> "d%06d.example smtp:[mx.d%06d.example]:25\n".formatted(i, i))
                        .collect(Collectors.joining());
        String tls =
                range.stream()
                        .map(i -> "[mx.d%06d.example]:25 may\n".formatted(i))
                        .collect(Collectors.joining());
        return new PostfixConfig("relayhost =\n", transport, tls, "", List.of());
    }
}
