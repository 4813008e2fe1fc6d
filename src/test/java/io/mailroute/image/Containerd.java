package io.mailroute.image;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mailroute.relay.fixtures.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The private containerd of {@code hack/containerd.sh}, one per test JVM: started unless it already
 * runs (then left running), stopped at JVM exit when this JVM started it. Images come from the OCI
 * archives that {@code hack/build-images.sh} writes; a missing or stale archive fails the test
 * (never skips it).
 */
public final class Containerd {

    public static final String BUILD_HINT =
            "run hack/build-images.sh (as root) first; hack/test.sh does";
    public static final String RELAY_IMAGE = "docker.io/mailroute/postfix-relay:0.1.0";
    public static final String OPERATOR_IMAGE = "docker.io/mailroute/operator:0.1.0";

    private static final Path SCRIPT = Path.of("hack/containerd.sh").toAbsolutePath();
    private static final Path BUILD_SCRIPT = Path.of("hack/build-images.sh").toAbsolutePath();
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(5);
    private static Containerd instance;

    private final String address;
    private final String namespace;
    private final List<String> imported = new ArrayList<>();

    private Containerd(String address, String namespace) {
        this.address = address;
        this.namespace = namespace;
    }

    /** Starts (or reuses) the private containerd; idempotent. */
    public static synchronized Containerd get() {
        if (instance == null) {
            if (!"root".equals(System.getProperty("user.name"))) {
                fail(
                        "the image tests run containers with containerd and must run as root (user is %s)",
                        System.getProperty("user.name"));
            }
            boolean wasRunning = script("status").exitCode() == 0;
            if (!wasRunning) {
                Commands.Result start = script("start");
                if (start.exitCode() != 0) {
                    script("stop");
                    fail(
                            "hack/containerd.sh start failed (exit %d): %s",
                            start.exitCode(), start.output());
                }
                Runtime.getRuntime().addShutdownHook(new Thread(() -> script("stop")));
            }
            Map<String, String> env = exports(script("env").stdout());
            instance =
                    new Containerd(
                            env.get("MAILROUTE_CONTAINERD_ADDRESS"),
                            env.get("MAILROUTE_CONTAINERD_NAMESPACE"));
        }
        return instance;
    }

    /**
     * Makes the image built by {@code hack/build-images.sh} (relay or operator) available: fails
     * when its archive is missing or older than its inputs, imports it otherwise (a no-op when the
     * same digest is already there).
     */
    public synchronized String image(String which) {
        String name =
                switch (which) {
                    case "relay" -> RELAY_IMAGE;
                    case "operator" -> OPERATOR_IMAGE;
                    default -> throw new IllegalArgumentException(which);
                };
        if (imported.contains(name)) {
            return name;
        }
        Path archive = archive(which);
        Commands.Result result = script("import", archive.toString());
        if (result.exitCode() != 0) {
            fail("importing %s failed: %s", archive, result.output());
        }
        imported.add(name);
        return name;
    }

    /**
     * The image's OCI config ({@code Entrypoint}, {@code Cmd}, {@code User}, {@code Env}, ...) read
     * from the archive hack/build-images.sh wrote. {@code ctr run IMAGE ID ARGS} replaces the whole
     * command line, while Kubernetes (and docker run) append {@code args} to the ENTRYPOINT; tests
     * use this to run ENTRYPOINT + args like a pod.
     */
    public JsonNode imageConfig(String which) {
        Path archive = archive(which);
        try {
            ObjectMapper json = new ObjectMapper();
            JsonNode index = json.readTree(tarEntry(archive, "index.json"));
            JsonNode manifest =
                    json.readTree(tarEntry(archive, blob(index.path("manifests").path(0))));
            return json.readTree(tarEntry(archive, blob(manifest.path("config")))).path("config");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the image config in " + archive, e);
        }
    }

    private static String blob(JsonNode descriptor) {
        String digest = descriptor.path("digest").asText();
        if (!digest.startsWith("sha256:")) {
            fail("unexpected descriptor %s", descriptor);
        }
        return "blobs/sha256/" + digest.substring(7);
    }

    private static String tarEntry(Path archive, String entry) {
        Commands.Result result =
                Commands.run(
                        List.of("tar", "-xOf", archive.toString(), entry),
                        Map.of(),
                        Duration.ofSeconds(60));
        if (result.exitCode() != 0) {
            fail("%s has no %s: %s", archive, entry, result.stderr());
        }
        return result.stdout();
    }

    private final Map<String, Path> archives = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The archive hack/build-images.sh built from exactly these sources: {@code --check} names it
     * ("relay PATH"), or fails when there is none (the test fails, it never skips).
     */
    private Path archive(String which) {
        return archives.computeIfAbsent(
                which,
                w -> {
                    Commands.Result check =
                            Commands.run(
                                    List.of(BUILD_SCRIPT.toString(), "--check", w),
                                    Map.of(),
                                    SCRIPT_TIMEOUT);
                    if (check.exitCode() != 0) {
                        fail(
                                "no %s image archive matches the sources (%s): %s",
                                w, check.output().trim(), BUILD_HINT);
                    }
                    Path path =
                            check.stdout()
                                    .lines()
                                    .filter(line -> line.startsWith(w + " "))
                                    .map(line -> Path.of(line.substring(w.length() + 1).trim()))
                                    .findFirst()
                                    .orElseThrow(
                                            () ->
                                                    new AssertionError(
                                                            "hack/build-images.sh --check named no "
                                                                    + w
                                                                    + " archive: "
                                                                    + check.output()));
                    if (!Files.isRegularFile(path)) {
                        fail("the %s image archive %s is missing: %s", w, path, BUILD_HINT);
                    }
                    return path;
                });
    }

    /** {@code ctr --address ... -n k8s.io ARGS}. */
    public List<String> ctr(String... args) {
        List<String> command =
                new ArrayList<>(List.of("ctr", "--address", address, "-n", namespace));
        command.addAll(List.of(args));
        return command;
    }

    /** Runs {@code ctr ARGS} to completion. */
    public Commands.Result run(Duration timeout, String... args) {
        return Commands.run(ctr(args), Map.of(), timeout);
    }

    static Path imagesDir() {
        return Path.of(
                System.getenv().getOrDefault("MAILROUTE_CACHE", "/var/cache/mailroute"), "images");
    }

    private static Commands.Result script(String... args) {
        List<String> command = new ArrayList<>(List.of(SCRIPT.toString()));
        command.addAll(List.of(args));
        return Commands.run(command, Map.of(), SCRIPT_TIMEOUT);
    }

    /**
     * Parses {@code export NAME=VALUE} lines (values without quoting, as the script prints paths).
     */
    private static Map<String, String> exports(String text) {
        Map<String, String> env = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("export ") && line.indexOf('=') > 0) {
                env.put(
                        line.substring(7, line.indexOf('=')),
                        line.substring(line.indexOf('=') + 1));
            }
        }
        if (!env.containsKey("MAILROUTE_CONTAINERD_ADDRESS")) {
            fail("hack/containerd.sh env printed no address: %s", text);
        }
        return env;
    }
}
