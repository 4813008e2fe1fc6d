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
    private static final String KEY = "k".repeat(64);

    @Test
    void aSmallConfigurationStaysInOneConfigMapAsBefore() {
        PostfixConfig config = config(100);
        RelayConfigLayout.Rendered rendered = render(config);
        RelayConfigLayout.Layout layout = rendered.layout();
        assertThat(layout.shards()).isEmpty();
        assertThat(rendered.configHash()).isEqualTo(config.hash(KEY));
        assertThat(layout.main())
                .containsEntry("transport", config.transport())
                .containsEntry("tls_policy", config.tlsPolicy())
                .containsEntry("main.cf", config.mainCf())
                .containsEntry("config-hash", config.hash(KEY))
                .doesNotContainKeys("transport.parts");
    }

    @Test
    void aSmallConfigurationIsNotRearranged() {
        PostfixConfig config = config(100);
        RelayConfigLayout.Rendered rendered = render(config);
        assertThat(rendered.arranged().config()).isSameAs(config);
        assertThat(rendered.arranged().partitions()).isNull();
        assertThat(rendered.digests()).isNull();
    }

    @Test
    void aLargeConfigurationIsSpreadOverTheShardsByKeyAndReassemblesToWhatIsHashed() {
        PostfixConfig config = config(60_000);
        RelayConfigLayout.Rendered rendered = render(config);
        PostfixConfig arranged = rendered.arranged().config();
        assertThat(arranged.transport())
                .as("the same lines, in partition order")
                .isNotEqualTo(config.transport());
        assertThat(sortedLines(arranged.transport())).isEqualTo(sortedLines(config.transport()));
        assertThat(sortedLines(arranged.tlsPolicy())).isEqualTo(sortedLines(config.tlsPolicy()));
        // config-hash covers the arranged files, not the files as given
        assertThat(rendered.configHash())
                .isEqualTo(arranged.hash(KEY))
                .isNotEqualTo(config.hash(KEY));

        RelayConfigLayout.Layout layout = rendered.layout();
        assertThat(layout.main())
                .doesNotContainKeys("transport", "tls_policy")
                .containsKeys("transport.parts", "tls_policy.parts", "main.cf", "config-hash");
        assertThat(layout.shards())
                .hasSize(RelayConfigLayout.MAX_SHARDS)
                .allSatisfy(
                        shard -> {
                            assertThat(
                                            shard.values().stream()
                                                    .mapToInt(
                                                            v ->
                                                                    v.getBytes(
                                                                                    StandardCharsets
                                                                                            .UTF_8)
                                                                            .length)
                                                    .sum())
                                    .isLessThanOrEqualTo(RelayConfigLayout.PART_BYTES);
                            assertThat(shard.values())
                                    .allSatisfy(p -> assertThat(p).endsWith("\n"));
                        });
        // evenly spread: no shard more than a quarter above the mean
        int mean = arranged.transport().length() / RelayConfigLayout.MAX_SHARDS;
        assertThat(layout.shards())
                .allSatisfy(
                        shard ->
                                assertThat(shard.get(keyIn(shard, "transport")).length())
                                        .isBetween(mean * 3 / 4, mean * 5 / 4));
        assertThat(RelayConfigLayout.read("transport", layout.main(), shard(layout)))
                .contains(arranged.transport());
        assertThat(RelayConfigLayout.read("tls_policy", layout.main(), shard(layout)))
                .contains(arranged.tlsPolicy());
        String firstLine = layout.main().get("transport.parts").lines().findFirst().orElseThrow();
        assertThat(firstLine).matches("transport\\.part-001 1 [0-9a-f]{64}");
        assertThat(layout.main()).containsEntry("config-hash", rendered.configHash());
        // what the relay checks: the files it reassembles from the parts hash to config-hash
        PostfixConfig reassembled =
                new PostfixConfig(
                        layout.main().get("main.cf"),
                        RelayConfigLayout.read("transport", layout.main(), shard(layout))
                                .orElseThrow(),
                        RelayConfigLayout.read("tls_policy", layout.main(), shard(layout))
                                .orElseThrow(),
                        "",
                        List.of());
        assertThat(reassembled.hash(KEY)).isEqualTo(layout.main().get("config-hash"));
        // rendering the same configuration again gives the same objects (no needless writes)
        assertThat(render(config).layout()).isEqualTo(layout);
        // an arranged configuration is in partition order already: rendering it changes nothing
        RelayConfigLayout.Rendered again = render(arranged);
        assertThat(again.arranged().config()).isEqualTo(arranged);
        assertThat(again.configHash()).isEqualTo(rendered.configHash());
        assertThat(again.layout()).isEqualTo(layout);
    }

    @Test
    void anEditRewritesOnlyTheShardOfTheEditedDomain() {
        PostfixConfig before = config(20_000);
        PostfixConfig after =
                new PostfixConfig(
                        before.mainCf(),
                        before.transport()
                                .replace(
                                        "d012345.example smtp:[mx.d012345.example]:25\n",
                                        "d012345.example smtp:[mx.elsewhere.example]:25\n"),
                        before.tlsPolicy(),
                        "",
                        List.of());
        RelayConfigLayout.Layout a = render(before).layout();
        RelayConfigLayout.Layout b = render(after).layout();
        List<Integer> changed =
                IntStream.range(0, a.shards().size())
                        .filter(i -> !a.shards().get(i).equals(b.shards().get(i)))
                        .boxed()
                        .toList();
        assertThat(changed).hasSize(1);
        assertThat(
                        b.shards()
                                .get(changed.get(0))
                                .get(keyIn(b.shards().get(changed.get(0)), "transport")))
                .contains("d012345.example smtp:[mx.elsewhere.example]:25\n");
    }

    @Test
    void aDomainItsSubdomainEntryAndTheCommentBeforeThemShareAPartition() {
        assertThat(RelayConfigLayout.partitionOf(".sub.example x\n", 0))
                .isEqualTo(RelayConfigLayout.partitionOf("sub.example x\n", 0));
        StringBuilder transport = new StringBuilder("# header\n# notice\n");
        for (int i = 0; i < 5_000; i++) {
            transport.append("# route ns/r").append(i).append('\n');
            transport.append("r%d.example smtp:[mx.r%d.example]:25\n".formatted(i, i));
            transport.append(".r%d.example smtp:[mx.r%d.example]:25\n".formatted(i, i));
            // a continuation line stays with its entry
            transport.append("  \n");
        }
        PostfixConfig arranged =
                render(new PostfixConfig("", transport.toString(), "", "", List.of()))
                        .arranged()
                        .config();
        assertThat(arranged.transport())
                .contains(
                        "# route ns/r77\nr77.example smtp:[mx.r77.example]:25\n"
                                + ".r77.example smtp:[mx.r77.example]:25\n  \n");
        assertThat(sortedLines(arranged.transport())).isEqualTo(sortedLines(transport.toString()));
    }

    @Test
    void keysThatCollideIntoOnePartitionFallBackToPartsCutInOrder() {
        // names chosen so that all land in one partition, more than one shard holds
        StringBuilder transport = new StringBuilder();
        int lines = 0;
        for (int i = 0; lines < 18_000; i++) {
            String line = "c%07d.example smtp:[mx.collide.example]:25\n".formatted(i);
            if (RelayConfigLayout.partitionOf(line, 0) == 3) {
                transport.append(line);
                lines++;
            }
        }
        PostfixConfig config = new PostfixConfig("", transport.toString(), "", "", List.of());
        assertThat(config.transport().length()).isGreaterThan(RelayConfigLayout.PART_BYTES);
        RelayConfigLayout.Rendered rendered = render(config);
        assertThat(rendered.arranged().config()).isSameAs(config);
        assertThat(rendered.arranged().partitions()).isNull();
        assertThat(rendered.digests()).isNull();
        assertThat(rendered.configHash()).isEqualTo(config.hash(KEY));
        RelayConfigLayout.Layout layout = rendered.layout();
        assertThat(layout.shards()).hasSize(3);
        assertThat(layout.main()).containsEntry("config-hash", config.hash(KEY));
        assertThat(RelayConfigLayout.read("transport", layout.main(), shard(layout)))
                .contains(config.transport());
    }

    @Test
    void aMissingOrStalePartMeansNothingIsReadYet() {
        RelayConfigLayout.Layout layout = render(config(60_000)).layout();
        Map<Integer, Map<String, String>> shards = new HashMap<>();
        for (int i = 0; i < layout.shards().size(); i++) {
            shards.put(i + 1, layout.shards().get(i));
        }
        Map<Integer, Map<String, String>> missing = new HashMap<>(shards);
        missing.remove(2);
        assertThat(RelayConfigLayout.read("transport", layout.main(), missing::get)).isEmpty();
        Map<Integer, Map<String, String>> stale = new HashMap<>(shards);
        String key = keyIn(shards.get(2), "transport");
        Map<String, String> staleShard = new HashMap<>(shards.get(2));
        staleShard.put(key, shards.get(2).get(key).replaceFirst("smtp:", "relay:"));
        stale.put(2, staleShard);
        assertThat(RelayConfigLayout.read("transport", layout.main(), stale::get)).isEmpty();
        assertThat(RelayConfigLayout.read("transport", layout.main(), shards::get)).isPresent();
    }

    @Test
    void partsVouchedForByTheReadersCacheAreNotHashedAgain() {
        RelayConfigLayout.Layout layout = render(config(60_000)).layout();
        Map<Integer, Map<String, String>> shards = new HashMap<>();
        for (int i = 0; i < layout.shards().size(); i++) {
            shards.put(i + 1, new HashMap<>(layout.shards().get(i)));
        }
        // a part that no longer matches its digest, but that the cache says it checked
        String key = keyIn(shards.get(2), "transport");
        String changed = shards.get(2).get(key).replaceFirst("smtp:", "relay:");
        shards.get(2).put(key, changed);
        assertThat(RelayConfigLayout.read("transport", layout.main(), shards::get)).isEmpty();
        var parts =
                RelayConfigLayout.parts(
                        "transport",
                        layout.main(),
                        shards::get,
                        (ref, content) -> content == changed);
        assertThat(parts).isPresent();
        assertThat(parts.get()).hasSize(RelayConfigLayout.MAX_SHARDS);
        assertThat(parts.get().get(1).ref().key()).isEqualTo(key);
        assertThat(parts.get().get(1).content()).isSameAs(changed);
        assertThat(RelayConfigLayout.parts("transport", Map.of(), shards::get, (r, c) -> true))
                .as("no manifest")
                .isEmpty();
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

    /** How the operator lays out {@code config} for a relay rendered for the first time. */
    private static RelayConfigLayout.Rendered render(PostfixConfig config) {
        return RelayConfigLayout.render(config, KEY, Map.of());
    }

    private static java.util.function.Function<Integer, Map<String, String>> shard(
            RelayConfigLayout.Layout layout) {
        return n -> layout.shards().get(n - 1);
    }

    private static String keyIn(Map<String, String> shard, String file) {
        return shard.keySet().stream()
                .filter(k -> k.startsWith(file + ".part-"))
                .findFirst()
                .orElseThrow();
    }

    private static List<String> sortedLines(String text) {
        return text.lines().sorted().toList();
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
