package io.mailroute.dependent;

import io.mailroute.postfix.PostfixConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * How a relay's public files are laid out over ConfigMaps. Small configurations stay in one
 * ConfigMap, {@code <relay>-config}, as they always were: one key per file. When the files together
 * exceed {@link #INLINE_BYTES}, the large maps ({@link #SHARDED_FILES}) go into the shard
 * ConfigMaps {@code <relay>-config-<n>} (n = 1 .. {@link #MAX_SHARDS}), and the main ConfigMap
 * holds, instead of each such file, a manifest {@code <file>.parts} with one line per part: {@code
 * <key> <n> <sha256 of the part>}. The relay mounts all of them in one projected volume and
 * concatenates the parts in manifest order; the whole is accepted only when it matches {@code
 * config-hash} (so a relay never goes live on a mix of old and new parts), and the route reconciler
 * reads what was written the same way.
 *
 * <p>Two reasons to shard. The API server refuses objects over 1 MiB (etcd's request limit), and a
 * relay with tens of thousands of domains renders several MiB of transport map. And every write of
 * a ConfigMap sends the whole object, to the API server and back in every watch event: at 10,000
 * routes one edit rewrote 600 KB four times. So the lines are spread over the shards by a hash of
 * their lookup key ({@link #partitionOf}), not cut in order: an edit changes the shard of the
 * edited domain (and the main ConfigMap's small manifest), about a sixteenth of the map. The order
 * of the lines does not matter to Postfix (the maps are indexed, {@code lmdb:}), but the files that
 * {@code config-hash} covers are the reassembled ones, so {@link #render} first puts a sharded
 * configuration in that order and hashes it after. Should a partition not fit a ConfigMap (only
 * possible with keys chosen to collide), the files are cut in order instead, as before.
 */
public final class RelayConfigLayout {
    /** Files that may be split (they grow with routes; main.cf does not). */
    public static final List<String> SHARDED_FILES = List.of("transport", "tls_policy");

    /**
     * Up to this many bytes of files, everything stays in the main ConfigMap (about 2,000
     * one-domain routes). Above it an edit writes one shard of about a sixteenth of the maps.
     */
    public static final int INLINE_BYTES = 128 * 1024;

    /** At most this many bytes of parts per shard ConfigMap, well below the 1 MiB object limit. */
    public static final int PART_BYTES = 768 * 1024;

    /**
     * Shard ConfigMaps the relay's pods mount (optional volume sources), which is also the number
     * of hash partitions: at least 12 MiB of parts.
     */
    public static final int MAX_SHARDS = 16;

    private RelayConfigLayout() {}

    /**
     * The main ConfigMap's data and the data of each shard ConfigMap (index 0 is {@code
     * <relay>-config-1}).
     */
    public record Layout(Map<String, String> main, List<Map<String, String>> shards) {}

    /**
     * One part of a sharded file: its text, its UTF-8 bytes (not to be modified) and their SHA-256
     * (lowercase hex).
     */
    public record Part(String text, byte[] utf8, String sha256) {
        /** What a later rendering needs of this part to tell it unchanged. */
        public Digested digested() {
            return new Digested(utf8, sha256);
        }
    }

    /**
     * A part as a later rendering of the same relay needs it ({@link #render}): its UTF-8 bytes
     * (not to be modified) and their SHA-256. Bytes, not the text: they are what the digest covers,
     * and comparing arrays is cheaper than comparing strings with the operator's JIT.
     */
    public record Digested(byte[] utf8, String sha256) {}

    /**
     * A configuration with its files in the order the relay reassembles them, and, when its maps
     * are spread over the shards by key, the parts of each map by partition ({@link #MAX_SHARDS}
     * each; null when the files stay inline or are cut in order).
     */
    public record Arranged(PostfixConfig config, Map<String, List<Part>> partitions) {}

    /**
     * What {@link #render} computes: the arranged configuration, its {@code config-hash} ({@link
     * PostfixConfig#hash} of the arranged files) and its layout.
     */
    public record Rendered(Arranged arranged, String configHash, Layout layout) {
        /**
         * The parts of each sharded file as the relay's next rendering takes them ({@code previous}
         * of {@link #render}); null when the files are inline or cut in order.
         */
        public Map<String, List<Digested>> digests() {
            if (arranged.partitions() == null) {
                return null;
            }
            Map<String, List<Digested>> digests = new TreeMap<>();
            arranged.partitions()
                    .forEach(
                            (file, parts) ->
                                    digests.put(file, parts.stream().map(Part::digested).toList()));
            return Collections.unmodifiableMap(digests);
        }
    }

    /**
     * The one way to lay out a relay's configuration: {@code config} with its files in the order
     * the relay reassembles them (unchanged when small, the lines of each sharded file grouped by
     * partition when large), the {@code config-hash} of those arranged files keyed with {@code
     * hashKey} ({@link PostfixConfig#hash}), and how they go into ConfigMaps. The hash and the
     * layout are computed from the same arrangement, so the relay always reassembles the files that
     * were hashed. Each part's text is encoded to UTF-8 once, for its size, its digest and the
     * configuration hash; and a part whose bytes equal those of the part of the same file and
     * partition in {@code previous} (the {@link Rendered#digests} of the relay's last rendering, or
     * an empty map) takes that part's digest instead of being hashed again: an edit changes one
     * partition of a map, so at 10,000 routes about 35 KB are digested for the manifest instead of
     * 600 KB. The configuration hash covers every byte, every time.
     */
    public static Rendered render(
            PostfixConfig config, String hashKey, Map<String, List<Digested>> previous) {
        Map<String, List<byte[]>> utf8 = new HashMap<>();
        Arranged arranged = arrangement(config, previous, utf8);
        String configHash = arranged.config().hash(hashKey, utf8);
        return new Rendered(arranged, configHash, layout(arranged, configHash));
    }

    /**
     * {@code config} in the order the relay reassembles it, with its parts by partition when large;
     * the digests of parts equal to those in {@code previous} taken from there, and the UTF-8 bytes
     * of the parts of each sharded file put into {@code utf8} (in order: together the file's
     * bytes).
     */
    private static Arranged arrangement(
            PostfixConfig config,
            Map<String, List<Digested>> previous,
            Map<String, List<byte[]>> utf8) {
        Map<String, List<Part>> partitions = partitioned(config.publicFiles(), previous, utf8);
        if (partitions == null) {
            return new Arranged(config, null);
        }
        String transport = joined(partitions.get(PostfixConfig.TRANSPORT));
        String tlsPolicy = joined(partitions.get(PostfixConfig.TLS_POLICY));
        if (transport.equals(config.transport()) && tlsPolicy.equals(config.tlsPolicy())) {
            return new Arranged(config, partitions);
        }
        return new Arranged(
                new PostfixConfig(
                        config.mainCf(),
                        transport,
                        tlsPolicy,
                        config.saslPasswd(),
                        config.transportLines(),
                        config.masterServices()),
                partitions);
    }

    private static String joined(List<Part> parts) {
        int length = 0;
        for (Part part : parts) {
            length += part.text().length();
        }
        StringBuilder text = new StringBuilder(length);
        for (Part part : parts) {
            text.append(part.text());
        }
        return text.toString();
    }

    /**
     * How the files of {@code arranged} (from {@link #arrangement}, so in the order the relay
     * reassembles them) go into ConfigMaps, with {@code configHash} as the main ConfigMap's {@code
     * config-hash}.
     */
    private static Layout layout(Arranged arranged, String configHash) {
        Map<String, String> files = new TreeMap<>(arranged.config().publicFiles());
        Map<String, String> main = new TreeMap<>(files);
        main.put(RelayConfigMapDependent.CONFIG_HASH_KEY, configHash);
        // partitions exist only for files over INLINE_BYTES (counted once, by arrangement)
        Map<String, List<Part>> partitions = arranged.partitions();
        if (partitions == null && !larger(files.values(), INLINE_BYTES)) {
            return new Layout(main, List.of());
        }
        List<Map<String, String>> shards = new ArrayList<>();
        if (partitions != null) {
            for (int n = 1; n <= MAX_SHARDS; n++) {
                shards.add(new TreeMap<>());
            }
            for (String file : SHARDED_FILES) {
                List<Part> parts = partitions.get(file);
                boolean empty = files.get(file).isEmpty();
                StringBuilder manifest = new StringBuilder();
                for (int p = 0; p < parts.size(); p++) {
                    Part part = parts.get(p);
                    // empty partitions are left out; a file with no line at all keeps one part
                    if (part.text().isEmpty() && (p > 0 || !empty)) {
                        continue;
                    }
                    String key = partKey(file, p + 1);
                    shards.get(p).put(key, part.text());
                    manifest.append(manifestLine(key, p + 1, part.sha256()));
                }
                main.remove(file);
                main.put(file + ".parts", manifest.toString());
            }
            while (!shards.isEmpty() && shards.get(shards.size() - 1).isEmpty()) {
                shards.remove(shards.size() - 1);
            }
            return new Layout(main, shards);
        }
        for (String file : SHARDED_FILES) {
            String content = main.remove(file);
            StringBuilder manifest = new StringBuilder();
            for (String part : split(content == null ? "" : content, PART_BYTES)) {
                String key = partKey(file, shards.size() + 1);
                shards.add(Map.of(key, part));
                manifest.append(manifestLine(key, shards.size(), sha256(part)));
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
     * The parts of each sharded file, by partition ({@link #MAX_SHARDS} each, the lines of a
     * partition concatenated in order); null when the files are small enough to stay inline, or
     * when a shard ConfigMap would hold more than {@link #PART_BYTES}. A part whose bytes equal
     * those of the same file and partition in {@code previous} takes its digest from there; each
     * file's parts' UTF-8 bytes are put into {@code utf8}.
     */
    private static Map<String, List<Part>> partitioned(
            Map<String, String> files,
            Map<String, List<Digested>> previous,
            Map<String, List<byte[]>> utf8) {
        if (!larger(files.values(), INLINE_BYTES)) {
            return null;
        }
        Map<String, List<String>> texts = new TreeMap<>();
        Map<String, List<byte[]>> encoded = new TreeMap<>();
        long[] shardBytes = new long[MAX_SHARDS];
        for (String file : SHARDED_FILES) {
            String content = files.getOrDefault(file, "");
            StringBuilder[] parts = new StringBuilder[MAX_SHARDS];
            for (int p = 0; p < MAX_SHARDS; p++) {
                parts[p] = new StringBuilder(content.length() / MAX_SHARDS + 1024);
            }
            // A unit is an entry with the comments and blank lines before it (a transport rule's
            // "# source" goes with its first line) and the lines that continue it (Postfix: a line
            // that starts with whitespace continues the logical line before it). Text after the
            // last entry stays with it; a file without entries is all in the first partition.
            int unitStart = 0;
            int current = -1;
            int commentsStart = -1;
            int start = 0;
            while (start < content.length()) {
                int end = content.indexOf('\n', start);
                end = end < 0 ? content.length() : end + 1;
                char first = content.charAt(start);
                boolean whitespace = Character.isWhitespace(first);
                if (first == '#' || whitespace && content.substring(start, end).isBlank()) {
                    if (commentsStart < 0) {
                        commentsStart = start;
                    }
                } else if (whitespace) {
                    commentsStart = -1;
                } else {
                    if (current >= 0) {
                        int cut = commentsStart >= 0 ? commentsStart : start;
                        parts[current].append(content, unitStart, cut);
                        unitStart = cut;
                    }
                    current = partitionOf(content, start);
                    commentsStart = -1;
                }
                start = end;
            }
            parts[Math.max(current, 0)].append(content, unitStart, content.length());
            List<String> fileTexts = new ArrayList<>(MAX_SHARDS);
            List<byte[]> fileBytes = new ArrayList<>(MAX_SHARDS);
            for (int p = 0; p < MAX_SHARDS; p++) {
                String text = parts[p].toString();
                // encoded once: for the shard's size here, the digest and the configuration hash
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                shardBytes[p] += bytes.length;
                fileTexts.add(text);
                fileBytes.add(bytes);
            }
            texts.put(file, fileTexts);
            encoded.put(file, fileBytes);
        }
        for (long b : shardBytes) {
            if (b > PART_BYTES) {
                return null;
            }
        }
        Map<String, List<Part>> result = new TreeMap<>();
        for (String file : SHARDED_FILES) {
            List<Digested> before = previous.getOrDefault(file, List.of());
            List<Part> fileParts = new ArrayList<>(MAX_SHARDS);
            for (int p = 0; p < MAX_SHARDS; p++) {
                byte[] bytes = encoded.get(file).get(p);
                Digested old = p < before.size() ? before.get(p) : null;
                // equal bytes, equal digest: all bytes are compared, never a hash of them, so a
                // changed byte is always digested again
                String sha256 =
                        old != null && Arrays.equals(old.utf8(), bytes)
                                ? old.sha256()
                                : sha256(bytes);
                fileParts.add(new Part(texts.get(file).get(p), bytes, sha256));
            }
            result.put(file, List.copyOf(fileParts));
        }
        utf8.putAll(encoded);
        return Collections.unmodifiableMap(result);
    }

    /**
     * The partition of the map line starting at {@code start}: a hash of its lookup key (up to the
     * first blank), without a leading dot, so that a domain and its {@code .domain} subdomain entry
     * land together. {@link String#hashCode} is specified by the language, so every operator
     * version spreads lines alike; the finaliser of MurmurHash3 mixes its low bits, which alone
     * follow the last characters of similar names.
     */
    static int partitionOf(String content, int start) {
        int i = start < content.length() && content.charAt(start) == '.' ? start + 1 : start;
        int h = 0;
        for (; i < content.length(); i++) {
            char c = content.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                break;
            }
            h = 31 * h + c;
        }
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h & (MAX_SHARDS - 1);
    }

    private static String partKey(String file, int n) {
        return String.format("%s.part-%03d", file, n);
    }

    private static String manifestLine(String key, int shard, String sha256) {
        return key + ' ' + shard + ' ' + sha256 + '\n';
    }

    /**
     * Whether {@code texts} take more than {@code limit} bytes in UTF-8. A text has at least as
     * many bytes as chars, so only texts of up to {@code limit} chars are encoded to count.
     */
    private static boolean larger(java.util.Collection<String> texts, long limit) {
        long chars = 0;
        for (String text : texts) {
            chars += text.length();
        }
        if (chars > limit) {
            return true;
        }
        long total = 0;
        for (String text : texts) {
            total += text.getBytes(StandardCharsets.UTF_8).length;
        }
        return total > limit;
    }

    /** One line of a manifest: the part's key, the shard (1-based) that holds it, its digest. */
    public record PartRef(String key, int shard, String sha256) {}

    /**
     * The parts the manifest of {@code file} lists, in order; empty when {@code main} has no
     * manifest for it or the manifest is malformed.
     */
    public static Optional<List<PartRef>> manifest(String file, Map<String, String> main) {
        String manifest = main.get(file + ".parts");
        if (manifest == null) {
            return Optional.empty();
        }
        List<PartRef> parts = new ArrayList<>();
        for (String line : manifest.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.split(" ");
            if (fields.length != 3) {
                return Optional.empty();
            }
            try {
                parts.add(new PartRef(fields[0], Integer.parseInt(fields[1]), fields[2]));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.of(parts);
    }

    /** A part as read: the manifest line that names it and the shard's text for it. */
    public record ReadPart(PartRef ref, String content) {}

    /**
     * A file as written: inline, or reassembled from the parts its manifest lists, each checked
     * against its digest ({@link #parts}). Empty when a listed part is missing or not yet the one
     * the manifest names (shards are written before the main ConfigMap, so a reader can see a newer
     * part than the manifest it holds).
     *
     * @param shard the data of shard ConfigMap n (1-based), or null when absent
     */
    public static Optional<String> read(
            String file, Map<String, String> main, Function<Integer, Map<String, String>> shard) {
        if (main.containsKey(file)) {
            return Optional.of(main.get(file));
        }
        return parts(file, main, shard, (ref, content) -> false)
                .map(
                        parts -> {
                            StringBuilder content = new StringBuilder();
                            parts.forEach(part -> content.append(part.content()));
                            return content.toString();
                        });
    }

    /**
     * The parts the manifest of {@code file} in {@code main} lists, in order, with their text from
     * the shards, each checked against the manifest's digest. Empty when there is no manifest or it
     * is malformed, or when a listed part is missing or not the one the manifest names.
     *
     * @param shard the data of shard ConfigMap n (1-based), or null when absent
     * @param checked whether this text was found to match this manifest line's digest before (a
     *     reader's cache of earlier reads): such a part is not hashed again
     */
    public static Optional<List<ReadPart>> parts(
            String file,
            Map<String, String> main,
            Function<Integer, Map<String, String>> shard,
            BiPredicate<PartRef, String> checked) {
        Optional<List<PartRef>> refs = manifest(file, main);
        if (refs.isEmpty()) {
            return Optional.empty();
        }
        List<ReadPart> parts = new ArrayList<>(refs.get().size());
        for (PartRef ref : refs.get()) {
            Map<String, String> data = shard.apply(ref.shard());
            String content = data == null ? null : data.get(ref.key());
            if (content == null
                    || !checked.test(ref, content) && !sha256(content).equals(ref.sha256())) {
                return Optional.empty();
            }
            parts.add(new ReadPart(ref, content));
        }
        return Optional.of(parts);
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

    public static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
