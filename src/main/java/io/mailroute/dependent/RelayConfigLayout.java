package io.mailroute.dependent;

import io.mailroute.postfix.PostfixConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * How a relay's public files are laid out over ConfigMaps. The API server refuses objects over 1
 * MiB (etcd's request limit), and a relay with tens of thousands of domains renders several MiB of
 * transport map. Small configurations stay in one ConfigMap, {@code <relay>-config}, as they always
 * were: one key per file. When the files together exceed {@link #INLINE_BYTES}, the large maps
 * ({@link #SHARDED_FILES}) are cut at line boundaries into parts of at most {@link #PART_BYTES},
 * each part in its own ConfigMap {@code <relay>-config-<n>} (n = 1 .. {@link #MAX_SHARDS}); the
 * main ConfigMap then holds, instead of the file, a manifest {@code <file>.parts} with one line per
 * part: {@code <key> <n> <sha256 of the part>}. The relay mounts all of them in one projected
 * volume and concatenates the parts in manifest order; the whole is accepted only when it matches
 * {@code config-hash} (so a relay never goes live on a mix of old and new parts), and the route
 * reconciler reads what was written the same way.
 */
public final class RelayConfigLayout {
    /** Files that may be split (they grow with routes; main.cf does not). */
    public static final List<String> SHARDED_FILES = List.of("transport", "tls_policy");

    /** Up to this many bytes of files, everything stays in the main ConfigMap. */
    public static final int INLINE_BYTES = 768 * 1024;

    /**
     * At most this many bytes per part (and per shard ConfigMap), well below the 1 MiB object
     * limit.
     */
    public static final int PART_BYTES = 768 * 1024;

    /**
     * Shard ConfigMaps the relay's pods mount (optional volume sources): at least 12 MiB of parts.
     */
    public static final int MAX_SHARDS = 16;

    private RelayConfigLayout() {}

    /**
     * The main ConfigMap's data and the data of each shard ConfigMap (index 0 is {@code
     * <relay>-config-1}).
     */
    public record Layout(Map<String, String> main, List<Map<String, String>> shards) {}

    public static Layout of(PostfixConfig config, String configHash) {
        Map<String, String> files = new TreeMap<>(config.publicFiles());
        Map<String, String> main = new TreeMap<>(files);
        main.put(RelayConfigMapDependent.CONFIG_HASH_KEY, configHash);
        long total =
                files.values().stream()
                        .mapToLong(v -> v.getBytes(StandardCharsets.UTF_8).length)
                        .sum();
        if (total <= INLINE_BYTES) {
            return new Layout(main, List.of());
        }
        List<Map<String, String>> shards = new ArrayList<>();
        for (String file : SHARDED_FILES) {
            String content = main.remove(file);
            StringBuilder manifest = new StringBuilder();
            List<String> parts = split(content == null ? "" : content, PART_BYTES);
            for (int i = 0; i < parts.size(); i++) {
                String key = String.format("%s.part-%03d", file, i + 1);
                shards.add(Map.of(key, parts.get(i)));
                manifest.append(key)
                        .append(' ')
                        .append(shards.size())
                        .append(' ')
                        .append(sha256(parts.get(i)))
                        .append('\n');
            }
            main.put(file + ".parts", manifest.toString());
        }
        if (shards.size() > MAX_SHARDS) {
            // RelayPlanner.Budget keeps a relay's files far below this; reaching it is a bug, not
            // user input
            throw new IllegalStateException(
                    "the relay configuration needs "
                            + shards.size()
                            + " ConfigMaps, more than "
                            + MAX_SHARDS);
        }
        return new Layout(main, shards);
    }

    /**
     * A file as written: inline, or reassembled from the parts its manifest lists, each checked
     * against its digest. Empty when a listed part is missing or not yet the one the manifest names
     * (shards are written before the main ConfigMap, so a reader can see a newer part than the
     * manifest it holds).
     *
     * @param shard the data of shard ConfigMap n (1-based), or null when absent
     */
    public static Optional<String> read(
            String file, Map<String, String> main, Function<Integer, Map<String, String>> shard) {
        if (main.containsKey(file)) {
            return Optional.of(main.get(file));
        }
        String manifest = main.get(file + ".parts");
        if (manifest == null) {
            return Optional.empty();
        }
        StringBuilder content = new StringBuilder();
        for (String line : manifest.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.split(" ");
            if (fields.length != 3) {
                return Optional.empty();
            }
            Map<String, String> data;
            try {
                data = shard.apply(Integer.parseInt(fields[1]));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            String part = data == null ? null : data.get(fields[0]);
            if (part == null || !sha256(part).equals(fields[2])) {
                return Optional.empty();
            }
            content.append(part);
        }
        return Optional.of(content.toString());
    }

    /**
     * Cuts {@code content} after a newline so that no part exceeds {@code maxBytes} (UTF-8); lines
     * are short.
     */
    static List<String> split(String content, int maxBytes) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        int partBytes = 0;
        int start = 0;
        while (start < content.length()) {
            int end = content.indexOf('\n', start);
            end = end < 0 ? content.length() : end + 1;
            String line = content.substring(start, end);
            int lineBytes = line.getBytes(StandardCharsets.UTF_8).length;
            if (lineBytes > maxBytes) {
                throw new IllegalArgumentException(
                        "a line of " + lineBytes + " bytes cannot fit a part");
            }
            if (partBytes + lineBytes > maxBytes) {
                parts.add(part.toString());
                part.setLength(0);
                partBytes = 0;
            }
            part.append(line);
            partBytes += lineBytes;
            start = end;
        }
        if (part.length() > 0 || parts.isEmpty()) {
            parts.add(part.toString());
        }
        return parts;
    }

    static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256")
                                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
