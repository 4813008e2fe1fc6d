package io.mailroute.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.postfix.PostfixConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RelayRenderContextTest {
    private static final String KEY = "k".repeat(64);

    /**
     * Rendering with the digests of the relay's previous rendering writes exactly what rendering
     * afresh (without previous digests) writes, through edits that change a line's length or not,
     * move lines between partitions, bring credentials, shrink the files inline and grow them
     * again; and the hash is that of the arranged files, hashed on their own.
     */
    @Test
    void renderingAfterAPreviousRenderingWritesWhatRenderingAfreshWrites() {
        PostfixConfig large = config(20_000, "");
        List<PostfixConfig> sequence =
                List.of(
                        large,
                        large,
                        edit(large, "mx.d012345.example", "mx.elsewhere.example"),
                        // same length: only the bytes tell the part changed
                        edit(large, "mx.d012345.example", "mx.e012345.example"),
                        edit(large, "d000042.example smtp:[mx.d000042.example]:25\n", ""),
                        withSasl(edit(large, "mx.d000007.example", "mx.x.example")),
                        config(100, ""),
                        // non-ASCII text (a comment): bytes and chars differ
                        config(20_000, "# route für ns/r1 – ü\n"),
                        large);
        Map<String, List<RelayConfigLayout.Digested>> previous = Map.of();
        for (PostfixConfig config : sequence) {
            RelayRenderContext render = RelayRenderContext.render(config, "img", KEY, previous);
            RelayConfigLayout.Rendered afresh = RelayConfigLayout.render(config, KEY, Map.of());
            PostfixConfig arranged = afresh.arranged().config();
            assertThat(sortedLines(arranged.transport()))
                    .isEqualTo(sortedLines(config.transport()));
            assertThat(render.config()).isEqualTo(arranged);
            assertThat(render.configHash())
                    .isEqualTo(afresh.configHash())
                    .isEqualTo(arranged.hash(KEY));
            assertThat(render.layout()).isEqualTo(afresh.layout());
            previous = render.digests() == null ? Map.of() : render.digests();
        }
    }

    @Test
    void anUnchangedPartTakesItsDigestFromThePreviousRenderingAChangedOneIsDigestedAgain() {
        PostfixConfig before = config(20_000, "");
        RelayRenderContext first = RelayRenderContext.render(before, "img", KEY);
        // mark every remembered digest, to see which ones a rendering takes over
        Map<String, List<RelayConfigLayout.Digested>> marked = new TreeMap<>();
        first.digests()
                .forEach(
                        (file, parts) ->
                                marked.put(
                                        file,
                                        parts.stream()
                                                .map(
                                                        p ->
                                                                new RelayConfigLayout.Digested(
                                                                        p.utf8(), "remembered"))
                                                .toList()));
        PostfixConfig after = edit(before, "mx.d012345.example", "mx.e012345.example");
        RelayRenderContext second = RelayRenderContext.render(after, "img", KEY, marked);
        List<String> manifest = second.layout().main().get("transport.parts").lines().toList();
        List<String> digestedAgain =
                manifest.stream().filter(line -> !line.endsWith(" remembered")).toList();
        assertThat(digestedAgain)
                .as("only the part holding the edited line")
                .hasSize(1)
                .allSatisfy(
                        line ->
                                assertThat(line)
                                        .matches("transport\\.part-\\d{3} \\d+ [0-9a-f]{64}"));
        String key = digestedAgain.get(0).split(" ")[0];
        int shard = Integer.parseInt(digestedAgain.get(0).split(" ")[1]);
        String part = second.layout().shards().get(shard - 1).get(key);
        assertThat(part).contains("mx.e012345.example");
        assertThat(digestedAgain.get(0)).endsWith(" " + RelayConfigLayout.sha256(part));
        assertThat(second.layout().main().get("tls_policy.parts").lines())
                .as("tls_policy is unchanged")
                .allSatisfy(line -> assertThat(line).endsWith(" remembered"));
        // the configuration hash covers every byte, whatever was remembered
        assertThat(second.configHash())
                .isEqualTo(second.config().hash(KEY))
                .isEqualTo(RelayConfigLayout.render(after, KEY, Map.of()).configHash())
                .isNotEqualTo(first.configHash());
    }

    @Test
    void aRememberedPartOfAnotherPartitionOrFileIsNotTakenOver() {
        PostfixConfig config = config(20_000, "");
        Map<String, List<RelayConfigLayout.Digested>> digests =
                RelayRenderContext.render(config, "img", KEY).digests();
        // the same parts, each one partition further and in the other file
        Map<String, List<RelayConfigLayout.Digested>> shifted = new TreeMap<>();
        digests.forEach(
                (file, parts) -> {
                    List<RelayConfigLayout.Digested> moved = new ArrayList<>(parts);
                    moved.add(0, moved.remove(moved.size() - 1));
                    shifted.put(
                            file.equals("transport") ? "tls_policy" : "transport",
                            moved.stream()
                                    .map(p -> new RelayConfigLayout.Digested(p.utf8(), "wrong"))
                                    .toList());
                });
        RelayRenderContext render = RelayRenderContext.render(config, "img", KEY, shifted);
        assertThat(render.layout().main().values()).noneMatch(v -> v.contains("wrong"));
        assertThat(render.layout())
                .isEqualTo(RelayRenderContext.render(config, "img", KEY).layout());
    }

    @Test
    void aSmallConfigurationHasNoPartsToRemember() {
        assertThat(RelayRenderContext.render(config(100, ""), "img", KEY).digests()).isNull();
    }

    @Test
    void hashingGivenBytesIsHashingTheFiles() {
        PostfixConfig config = withSasl(config(2, "# ä\n"));
        String transport = config.transport();
        int cut = transport.indexOf('\n') + 1;
        Map<String, List<byte[]>> utf8 =
                Map.of(
                        "transport",
                        List.of(
                                transport.substring(0, cut).getBytes(StandardCharsets.UTF_8),
                                new byte[0],
                                transport.substring(cut).getBytes(StandardCharsets.UTF_8)));
        assertThat(config.hash(KEY, utf8)).isEqualTo(config.hash(KEY));
        Map<String, List<byte[]>> other =
                Map.of(
                        "transport",
                        List.of(transport.substring(cut).getBytes(StandardCharsets.UTF_8)));
        assertThat(config.hash(KEY, other)).isNotEqualTo(config.hash(KEY));
    }

    private static List<String> sortedLines(String text) {
        return text.lines().sorted().toList();
    }

    private static PostfixConfig edit(PostfixConfig config, String from, String to) {
        String transport = config.transport().replace(from, to);
        assertThat(transport).as("the edit applies").isNotEqualTo(config.transport());
        return new PostfixConfig(
                config.mainCf(), transport, config.tlsPolicy(), config.saslPasswd(), List.of());
    }

    private static PostfixConfig withSasl(PostfixConfig config) {
        return new PostfixConfig(
                config.mainCf(),
                config.transport(),
                config.tlsPolicy(),
                "[mx.x.example]:25 user:secret\n",
                List.of());
    }

    private static PostfixConfig config(int domains, String comment) {
        List<Integer> range = IntStream.range(0, domains).boxed().toList();
        String transport =
                range.stream()
                        .map(
                                i ->
                                        (i % 1000 == 1 ? comment : "")
                                                + "d%06d.example smtp:[mx.d%06d.example]:25\n"
                                                        .formatted(i, i))
                        .collect(Collectors.joining());
        String tls =
                range.stream()
                        .map(i -> "[mx.d%06d.example]:25 may\n".formatted(i))
                        .collect(Collectors.joining());
        return new PostfixConfig("relayhost =\n", transport, tls, "", List.of());
    }
}
