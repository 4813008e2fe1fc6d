package io.mailroute.bench;

import static io.mailroute.relay.fixtures.Configs.relayVia;
import static io.mailroute.relay.fixtures.Configs.route;

import io.mailroute.dependent.RelayConfigLayout;
import io.mailroute.postfix.PostfixConfig;
import io.mailroute.postfix.PostfixRenderer;
import io.mailroute.postfix.TransportRule;
import io.mailroute.relay.fixtures.Commands;
import io.mailroute.relay.fixtures.Delivery;
import io.mailroute.relay.fixtures.Loopback;
import io.mailroute.relay.fixtures.RelayInstance;
import io.mailroute.relay.fixtures.SmtpClient;
import io.mailroute.relay.fixtures.SmtpSink;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A route change until live in the relay, run by bench/relay.sh. Not a test: figures go to
 * docs/benchmarks.md.
 *
 * <p>Part 1, in one run and under a steady stream of test messages (one submitted every {@code
 * intervalMs} through the relay, domain a.test, to in-process smtp-sinks): {@code changes} route
 * changes that move a.test between two sinks, applied (a) our way, to a relay run by the image's
 * entrypoint: the ConfigMap files are swapped kubelet-style ({@code ..data}) and the relay, woken
 * by inotify (poll interval 120 s, so no poll helps), validates and reloads; live = the relay's
 * status reports the new hash; and (b) the peer way, to an identical Postfix instance (the same
 * rendered files, same directories) that is not watched: the new map files are written into its
 * config directory, then {@code postfix stop}, {@code postmap} of the maps and {@code postfix
 * start} (what a container restart does); live = {@code postfix start} returned and smtpd answers.
 * For each path: files changed until live, the first message routed the new way, and how many
 * messages were delayed, rejected, lost or duplicated.
 *
 * <p>Part 2: a relay of N one-domain routes (sharded ConfigMap layout when large) gets {@code
 * repeats} route changes; files changed until live our way (with the relay's own phase times), and
 * the peer way on the same files.
 *
 * <p>Arguments: {@code changes intervalMs repeats N...}.
 */
public final class RelayReloadBenchmark {

    private static final String DOMAIN = "a.test";
    private static final Duration LIVE_TIMEOUT = Duration.ofSeconds(180);
    private static final int MAX_MESSAGES = 20_000;

    /** The line the entrypoint logs when a configuration went live. */
    private static final Pattern PHASES =
            Pattern.compile("configuration (\\w+) is live \\(([^)]*)\\)");

    /** Relays and Postfix instances running now: stopped by the shutdown hook on Ctrl-C. */
    private static final List<AutoCloseable> RUNNING = new CopyOnWriteArrayList<>();

    private RelayReloadBenchmark() {}

    private static <T extends AutoCloseable> T running(T resource) {
        RUNNING.add(0, resource);
        return resource;
    }

    private static void closeQuietly(AutoCloseable resource) {
        RUNNING.remove(resource);
        try {
            resource.close();
        } catch (Exception e) {
            System.err.println("cannot stop " + resource + ": " + e);
        }
    }

    public static void main(String[] args) throws Exception {
        Commands.requireRootAndTools("postfix", "postconf", "postmap", "postqueue");
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(() -> List.copyOf(RUNNING).forEach(r -> closeQuietly(r))));
        int changes = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int intervalMs = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        List<Integer> sizes = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            sizes.add(Integer.parseInt(args[i]));
        }
        if (changes > 0) {
            System.out.printf(
                    "%n### Route changes under mail flow: %d changes per path, one message every %d ms%n%n",
                    changes, intervalMs);
            List<String> rows = new ArrayList<>();
            List<String> detail = new ArrayList<>();
            for (boolean ours : new boolean[] {true, false}) {
                try (Flow flow = new Flow(ours ? "ours" : "peer", intervalMs)) {
                    flow.run(changes, rows, detail);
                }
            }
            System.out.println(
                    "| path | files changed → live: median / p90 / max | first message on the new"
                            + " route, accepted after the change: median / max | messages accepted |"
                            + " baseline latency p50 / p90 | delayed (> 2× baseline p90) | delayed > 1 s |"
                            + " rejected | lost | duplicated | old route after live |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
            rows.forEach(System.out::println);
            System.out.println();
            detail.forEach(System.out::println);
        }
        if (!sizes.isEmpty()) {
            System.out.printf(
                    "%n### Files changed → live by size (%d changes each, no mail flow)%n%n",
                    repeats);
            System.out.println(
                    "| domains | ConfigMaps | ours: files changed → live, median (all) | ours: the"
                            + " relay's phases (median change) | peer: write + stop + postmap +"
                            + " start, median (all) |");
            System.out.println("|---|---|---|---|---|");
            for (int n : sizes) {
                System.out.println(size(n, repeats));
            }
        }
    }

    /**
     * The relay's config for {@code a.test} to {@code target}, plus {@code bulk} more domains, laid
     * out as the operator does it ({@link RelayInstance#layOut}): the files in the order the relay
     * reassembles them (what the operator hashes), their hash and the ConfigMaps.
     */
    private static RelayConfigLayout.Rendered config(
            Loopback.Endpoint smarthost, Loopback.Endpoint target, int bulk) {
        List<TransportRule> rules = new ArrayList<>();
        rules.add(route(DOMAIN, target));
        for (int i = 0; i < bulk; i++) {
            rules.add(route("bulk-%06d.test".formatted(i), smarthost));
        }
        return RelayInstance.layOut(new PostfixRenderer().render(relayVia(smarthost), rules));
    }

    /** One message stream through one relay, and the route changes applied to it. */
    private static final class Flow implements AutoCloseable {
        private final String tag;
        private final boolean ours;
        private final int intervalMs;
        private final Map<String, List<Long>> delivered = new ConcurrentHashMap<>();
        private final Map<String, String> deliveredTo = new ConcurrentHashMap<>();
        private final SmtpSink a;
        private final SmtpSink b;
        private final SmtpSink smarthost;
        private final List<Sent> sent = new CopyOnWriteArrayList<>();
        private RelayInstance relay;
        private Peer peer;
        private volatile boolean stop;

        record Sent(int seq, long submitted, long accepted, String error) {}

        Flow(String tag, int intervalMs) {
            this.tag = tag;
            this.ours = tag.equals("ours");
            this.intervalMs = intervalMs;
            a = sink("A");
            b = sink("B");
            smarthost = sink("smarthost");
        }

        private SmtpSink sink(String name) {
            SmtpSink sink =
                    new SmtpSink(
                            List.of(Loopback.newEndpoint()),
                            SmtpSink.Options.plain(),
                            d -> record(name, d));
            sink.start();
            return sink;
        }

        private void record(String sink, Delivery delivery) {
            if (!delivery.accepted()) {
                return;
            }
            String subject = delivery.header("Subject");
            delivered
                    .computeIfAbsent(subject, s -> new CopyOnWriteArrayList<>())
                    .add(System.nanoTime());
            deliveredTo.putIfAbsent(subject, sink);
        }

        void run(int changes, List<String> rows, List<String> detail) throws Exception {
            PostfixConfig toA = config(smarthost.endpoint(), a.endpoint(), 0).arranged().config();
            PostfixConfig toB = config(smarthost.endpoint(), b.endpoint(), 0).arranged().config();
            relay = running(RelayInstance.create().pollEvery("120")).start(toA);
            if (!ours) {
                peer = running(new Peer(relay));
            }
            Thread sender = new Thread(this::send, "sender-" + tag);
            sender.start();
            Thread.sleep(3000); // baseline
            long baselineEnd = System.nanoTime();
            List<long[]> timings = new ArrayList<>(); // {changedAt, liveAt}
            List<String> targets = new ArrayList<>();
            for (int k = 1; k <= changes; k++) {
                PostfixConfig next = k % 2 == 1 ? toB : toA;
                long changedAt = System.nanoTime();
                if (ours) {
                    relay.publish(next);
                    awaitStatusLive(relay, RelayInstance.hashOf(next));
                } else {
                    peer.apply(next);
                }
                timings.add(new long[] {changedAt, System.nanoTime()});
                targets.add(k % 2 == 1 ? "B" : "A");
                Thread.sleep(2000);
            }
            stop = true;
            sender.join(60_000);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline && delivered.size() < accepted().size()) {
                Thread.sleep(100);
            }
            Thread.sleep(1000); // a duplicate would arrive late
            if (!ours && delivered.size() < accepted().size()) {
                // mail deferred while the peer was down waits for its retry (queue_run_delay)
                peer.flush();
                deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (System.nanoTime() < deadline && delivered.size() < accepted().size()) {
                    Thread.sleep(100);
                }
            }
            report(baselineEnd, timings, targets, rows, detail);
        }

        private List<Sent> accepted() {
            return sent.stream().filter(s -> s.error() == null).toList();
        }

        private void send() {
            long next = System.nanoTime();
            for (int seq = 1; seq <= MAX_MESSAGES && !stop; seq++) {
                long submitted = System.nanoTime();
                String error = null;
                try {
                    SmtpClient.send(
                            relay.listen(),
                            "alice@sender.test",
                            List.of("bob@" + DOMAIN),
                            tag + "-" + seq);
                } catch (IOException e) {
                    error = String.valueOf(e.getMessage());
                }
                sent.add(new Sent(seq, submitted, System.nanoTime(), error));
                next += intervalMs * 1_000_000L;
                long wait = (next - System.nanoTime()) / 1_000_000;
                if (wait > 0) {
                    try {
                        Thread.sleep(wait);
                    } catch (InterruptedException e) {
                        return;
                    }
                } else {
                    next = System.nanoTime();
                }
            }
        }

        private void report(
                long baselineEnd,
                List<long[]> timings,
                List<String> targets,
                List<String> rows,
                List<String> detail) {
            List<Sent> ok = accepted();
            long[] baseline =
                    ok.stream()
                            .filter(s -> s.submitted() < baselineEnd && s.seq() > 10)
                            .filter(s -> delivered.containsKey(subject(s)))
                            .mapToLong(s -> latency(s))
                            .sorted()
                            .toArray();
            long p50 = percentile(baseline, 50);
            long threshold = 2 * percentile(baseline, 90);
            int delayed = 0;
            int delayedSecond = 0;
            int lost = 0;
            int duplicated = 0;
            for (Sent s : ok) {
                List<Long> at = delivered.get(subject(s));
                if (at == null) {
                    lost++;
                    continue;
                }
                if (at.size() > 1) {
                    duplicated++;
                }
                long ms = latency(s);
                if (ms > threshold) {
                    delayed++;
                }
                if (ms > 1000) {
                    delayedSecond++;
                }
            }
            List<Sent> rejected = sent.stream().filter(s -> s.error() != null).toList();
            long[] live = new long[timings.size()];
            long[] firstNew = new long[timings.size()];
            int oldAfterLive = 0;
            for (int k = 0; k < timings.size(); k++) {
                long changedAt = timings.get(k)[0];
                long liveAt = timings.get(k)[1];
                long until = k + 1 < timings.size() ? timings.get(k + 1)[0] : Long.MAX_VALUE;
                String target = targets.get(k);
                live[k] = (liveAt - changedAt) / 1_000_000;
                firstNew[k] = -1;
                for (Sent s : ok) {
                    if (s.submitted() < changedAt || s.submitted() >= until) {
                        continue;
                    }
                    String to = deliveredTo.get(subject(s));
                    if (target.equals(to) && firstNew[k] < 0) {
                        firstNew[k] = (s.accepted() - changedAt) / 1_000_000;
                    }
                    if (to != null && !target.equals(to) && s.submitted() > liveAt) {
                        oldAfterLive++;
                    }
                }
            }
            long[] sortedLive = live.clone();
            Arrays.sort(sortedLive);
            long[] sortedFirst = Arrays.stream(firstNew).filter(v -> v >= 0).sorted().toArray();
            String path =
                    ours
                            ? "ours: ..data swap, inotify, validate, reload (SIGHUP)"
                            : "peer: write maps, `postfix stop`, `postmap`, `postfix start`";
            rows.add(
                    "| %s | %d / %d / %d ms | %s / %s ms (%d of %d changes) | %d of %d sent |"
                                    .formatted(
                                            path,
                                            percentile(sortedLive, 50),
                                            percentile(sortedLive, 90),
                                            sortedLive[sortedLive.length - 1],
                                            sortedFirst.length == 0
                                                    ? "-"
                                                    : percentile(sortedFirst, 50),
                                            sortedFirst.length == 0
                                                    ? "-"
                                                    : sortedFirst[sortedFirst.length - 1],
                                            sortedFirst.length,
                                            live.length,
                                            ok.size(),
                                            sent.size())
                            + " %d / %d ms | %d (> %d ms) | %d | %d | %d | %d | %d |"
                                    .formatted(
                                            p50,
                                            percentile(baseline, 90),
                                            delayed,
                                            threshold,
                                            delayedSecond,
                                            rejected.size(),
                                            lost,
                                            duplicated,
                                            oldAfterLive));
            detail.add(
                    "- %s, files changed → live per change: %s ms%s"
                            .formatted(
                                    tag,
                                    Arrays.toString(live),
                                    rejected.isEmpty()
                                            ? ""
                                            : "; first rejection: "
                                                    + rejected.get(0).error().replace('\n', ' ')));
            if (ours) {
                detail.add("- ours, the relay's phases per change: " + phaseList(relay));
            }
            List<String> slow = new ArrayList<>();
            for (Sent s : ok) {
                if (delivered.containsKey(subject(s)) && latency(s) > 1000 && slow.size() < 20) {
                    long changedAt = 0;
                    long liveAt = 0;
                    for (long[] t : timings) {
                        if (t[0] <= s.submitted()) {
                            changedAt = t[0];
                            liveAt = t[1];
                        }
                    }
                    slow.add(
                            changedAt == 0
                                    ? "before the first change: %d ms".formatted(latency(s))
                                    : "submitted %+d ms after a change (live at %d ms): %d ms"
                                            .formatted(
                                                    (s.submitted() - changedAt) / 1_000_000,
                                                    (liveAt - changedAt) / 1_000_000,
                                                    latency(s)));
                }
            }
            if (!slow.isEmpty()) {
                detail.add(
                        "- %s, messages delivered > 1 s after submission: %s".formatted(tag, slow));
            }
        }

        private String subject(Sent s) {
            return tag + "-" + s.seq();
        }

        private long latency(Sent s) {
            return (delivered.get(subject(s)).get(0) - s.submitted()) / 1_000_000;
        }

        @Override
        public void close() {
            stop = true;
            if (peer != null) {
                closeQuietly(peer);
            }
            if (relay != null) {
                closeQuietly(relay);
            }
            a.close();
            b.close();
            smarthost.close();
        }
    }

    /**
     * A relay instance taken over by the peer way: the entrypoint is stopped (it stops Postfix) and
     * Postfix is run on the same config, queue and data directories with {@code postfix start}.
     */
    private static final class Peer implements AutoCloseable {
        private final RelayInstance relay;
        private final Path dir;

        Peer(RelayInstance relay) {
            this.relay = relay;
            this.dir = relay.configDir();
            relay.stop();
            postfix("start");
            awaitSmtpd(relay.listen());
        }

        /** Applies {@code config}'s maps; returns when smtpd answers again. */
        void apply(PostfixConfig config) throws IOException {
            Files.writeString(dir.resolve("transport"), config.transport());
            Files.writeString(dir.resolve("tls_policy"), config.tlsPolicy());
            postfix("stop");
            for (String map : List.of("transport", "tls_policy")) {
                Commands.runOk(
                        List.of("postmap", "-c", dir.toString(), "lmdb:" + dir.resolve(map)),
                        Duration.ofSeconds(120));
            }
            postfix("start");
            awaitSmtpd(relay.listen());
        }

        void flush() {
            relay.flush();
        }

        private void postfix(String command) {
            Commands.runOk(
                    List.of("postfix", "-c", dir.toString(), command), Duration.ofSeconds(60));
        }

        @Override
        public void close() {
            Commands.run(
                    List.of("postfix", "-c", dir.toString(), "stop"),
                    Map.of(),
                    Duration.ofSeconds(30));
        }
    }

    /** Waits until smtpd at {@code endpoint} sends its 220 banner. */
    private static void awaitSmtpd(Loopback.Endpoint endpoint) {
        long deadline = System.nanoTime() + LIVE_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(
                        new InetSocketAddress(
                                InetAddress.getByName(endpoint.address()), endpoint.port()),
                        1000);
                socket.setSoTimeout(5000);
                String banner =
                        new BufferedReader(
                                        new InputStreamReader(
                                                socket.getInputStream(), StandardCharsets.US_ASCII))
                                .readLine();
                if (banner != null && banner.startsWith("220")) {
                    socket.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                    return;
                }
            } catch (IOException e) {
                // not yet
            }
            sleep(5);
        }
        throw new IllegalStateException("smtpd at " + endpoint + " did not answer");
    }

    /** Polls the status file every 5 ms until {@code hash} is live. */
    private static void awaitStatusLive(RelayInstance relay, String hash) {
        long deadline = System.nanoTime() + LIVE_TIMEOUT.toNanos();
        while (!hash.equals(relay.status().get("live"))) {
            if (System.nanoTime() > deadline || !relay.running()) {
                throw new IllegalStateException(
                        "configuration "
                                + hash
                                + " not live: "
                                + relay.status()
                                + relay.diagnostics());
            }
            sleep(5);
        }
    }

    /** The phase times the entrypoint logged for each change that went live by reload. */
    private static List<String> phaseList(RelayInstance relay) {
        List<String> phases = new ArrayList<>();
        Matcher m = PHASES.matcher(relay.entrypointLog());
        while (m.find()) {
            phases.add(m.group(2));
        }
        return phases;
    }

    private static String size(int n, int repeats) throws Exception {
        try (SmtpSink smarthost = SmtpSink.start(SmtpSink.Options.plain());
                SmtpSink a = SmtpSink.start(SmtpSink.Options.plain());
                SmtpSink b = SmtpSink.start(SmtpSink.Options.plain())) {
            RelayConfigLayout.Rendered renderedA = config(smarthost.endpoint(), a.endpoint(), n);
            RelayConfigLayout.Rendered renderedB = config(smarthost.endpoint(), b.endpoint(), n);
            PostfixConfig toA = renderedA.arranged().config();
            PostfixConfig toB = renderedB.arranged().config();
            Map<String, String> filesA = RelayInstance.mounted(renderedA.layout());
            Map<String, String> filesB = RelayInstance.mounted(renderedB.layout());
            RelayInstance relay = running(RelayInstance.create().pollEvery("120"));
            Peer peer = null;
            try {
                relay.publish(filesA, null);
                relay.launch();
                awaitStatusLive(relay, renderedA.configHash());
                long[] ours = new long[repeats];
                for (int r = 0; r < repeats; r++) {
                    RelayConfigLayout.Rendered next = r % 2 == 0 ? renderedB : renderedA;
                    long changedAt = System.nanoTime();
                    relay.publish(r % 2 == 0 ? filesB : filesA, null);
                    awaitStatusLive(relay, next.configHash());
                    ours[r] = (System.nanoTime() - changedAt) / 1_000_000;
                    Thread.sleep(1000);
                }
                List<String> phases = phaseList(relay);
                long[] sorted = ours.clone();
                Arrays.sort(sorted);
                int median = 0;
                for (int r = 0; r < repeats; r++) {
                    if (ours[r] == sorted[repeats / 2]) {
                        median = r;
                    }
                }
                peer = running(new Peer(relay));
                long[] peers = new long[repeats];
                for (int r = 0; r < repeats; r++) {
                    long changedAt = System.nanoTime();
                    peer.apply(r % 2 == 0 ? toB : toA);
                    peers[r] = (System.nanoTime() - changedAt) / 1_000_000;
                }
                long[] sortedPeers = peers.clone();
                Arrays.sort(sortedPeers);
                return "| %,d | %d | %d ms %s | %s | %d ms %s |"
                        .formatted(
                                n,
                                1 + renderedA.layout().shards().size(),
                                sorted[repeats / 2],
                                Arrays.toString(ours),
                                phases.size() == repeats ? phases.get(median) : "not logged",
                                sortedPeers[repeats / 2],
                                Arrays.toString(peers));
            } finally {
                if (peer != null) {
                    closeQuietly(peer);
                }
                closeQuietly(relay);
            }
        }
    }

    private static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return -1;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
