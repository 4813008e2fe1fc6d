package io.mailroute.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real Kubernetes API server for tests: one per test JVM, started with {@code
 * hack/control-plane.sh start} (etcd + kube-apiserver built from Debian's source package) unless
 * one is already running, with the committed {@code crds/} applied. A control plane this JVM
 * started is stopped when the JVM exits.
 */
public final class ControlPlane {
    private static ControlPlane instance;

    private final Map<String, String> env;
    private final KubernetesClient client;

    private ControlPlane(Map<String, String> env) {
        this.env = env;
        Config config =
                new ConfigBuilder(Config.empty())
                        .withMasterUrl(env.get("MAILROUTE_API_URL"))
                        .withOauthToken(env.get("MAILROUTE_API_TOKEN"))
                        .withCaCertFile(env.get("MAILROUTE_API_CA_FILE"))
                        .withRequestTimeout(30_000)
                        .build();
        this.client = new KubernetesClientBuilder().withConfig(config).build();
    }

    /**
     * State directory of this JVM's control plane: its own, so that a test run never reuses a
     * control plane it did not start (the demo's, another build's) and parallel test JVMs never
     * share one.
     */
    private static final String STATE =
            System.getProperty("java.io.tmpdir")
                    + "/mailroute-test-control-plane-"
                    + ProcessHandle.current().pid();

    /**
     * Starts this JVM's control plane (stopped when the JVM exits) and applies the CRDs;
     * idempotent.
     */
    public static synchronized ControlPlane get() {
        if (instance == null) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> run("stop")));
            if (run("start") != 0) {
                run("stop"); // whatever half of it started
                throw new IllegalStateException(
                        "hack/control-plane.sh start failed; see its output above");
            }
            instance = new ControlPlane(readEnv());
            instance.applyCrds();
        }
        return instance;
    }

    public KubernetesClient client() {
        return client;
    }

    public String apiUrl() {
        return env.get("MAILROUTE_API_URL");
    }

    public String token() {
        return env.get("MAILROUTE_API_TOKEN");
    }

    public String caFile() {
        return env.get("MAILROUTE_API_CA_FILE");
    }

    public String kubeconfig() {
        return env.get("KUBECONFIG");
    }

    /**
     * Stops this JVM's kube-apiserver (SIGTERM, SIGKILL after 30 s) and starts it again with the
     * same command line (same port, certificates and etcd, so all objects stay); returns once it
     * answers /readyz again, after at most 90 s. The new process is recorded in the state dir's pid
     * file, so {@code hack/control-plane.sh stop} (run when the JVM exits) stops it; if it does not
     * become ready it is stopped here. Returns how long it was down.
     */
    public synchronized java.time.Duration restartApiServer()
            throws IOException, InterruptedException {
        Path pidFile = Path.of(STATE, "kube-apiserver.pid");
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        ProcessHandle old =
                ProcessHandle.of(pid)
                        .orElseThrow(
                                () ->
                                        new IllegalStateException(
                                                "kube-apiserver pid " + pid + " is not running"));
        List<String> command =
                List.of(Files.readString(Path.of("/proc/" + pid + "/cmdline")).split("\0"));
        if (!command.get(0).endsWith("kube-apiserver")) {
            throw new IllegalStateException(
                    "pid " + pid + " is not a kube-apiserver: " + command.get(0));
        }
        long t0 = System.nanoTime();
        old.destroy();
        try {
            old.onExit().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException
                | java.util.concurrent.TimeoutException e) {
            old.destroyForcibly();
            old.onExit().join();
        }
        Process started =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(
                                ProcessBuilder.Redirect.appendTo(
                                        Path.of(STATE, "kube-apiserver.log").toFile()))
                        .start();
        Files.writeString(pidFile, started.pid() + "\n");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!started.isAlive()) {
                throw new IllegalStateException(
                        "restarted kube-apiserver exited with " + started.exitValue());
            }
            try {
                if ("ok".equals(client.raw(apiUrl() + "/readyz"))) {
                    return java.time.Duration.ofNanos(System.nanoTime() - t0);
                }
            } catch (RuntimeException notYet) {
                // connection refused or 5xx while it starts
            }
            Thread.sleep(250);
        }
        started.destroyForcibly();
        throw new IllegalStateException("restarted kube-apiserver not ready after 90 s");
    }

    /** Creates or updates every CRD in crds/ and waits until the CRDs are established. */
    public void applyCrds() {
        try (Stream<Path> files = Files.list(repoRoot().resolve("crds"))) {
            for (Path file : files.sorted().toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    List<HasMetadata> items = client.load(in).items();
                    for (HasMetadata item : items) {
                        // Not server-side apply: v1.20 rejects the x-kubernetes-validations (CEL)
                        // field in typed SSA patches,
                        // while create/update simply drops it (1.25+ enforces it).
                        client.resource(item).unlock().createOr(NonDeletingOperation::update);
                        client.resources(CustomResourceDefinition.class)
                                .withName(item.getMetadata().getName())
                                .waitUntilCondition(
                                        ControlPlane::established, 30, TimeUnit.SECONDS);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read crds/", e);
        }
    }

    private static boolean established(CustomResourceDefinition crd) {
        return crd != null
                && crd.getStatus() != null
                && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                        .anyMatch(
                                c ->
                                        "Established".equals(c.getType())
                                                && "True".equals(c.getStatus()));
    }

    /** The repository root (the directory holding pom.xml). */
    public static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("pom.xml"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException(
                    "pom.xml not found above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    private static int run(String command) {
        try {
            ProcessBuilder builder =
                    new ProcessBuilder(
                                    "bash",
                                    repoRoot().resolve("hack/control-plane.sh").toString(),
                                    command)
                            .inheritIO()
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.environment().put("MAILROUTE_STATE", STATE);
            Process process = builder.start();
            if (!process.waitFor(20, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("hack/control-plane.sh " + command + " timed out");
            }
            return process.exitValue();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run hack/control-plane.sh " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> readEnv() {
        try {
            ProcessBuilder builder =
                    new ProcessBuilder(
                            "bash", repoRoot().resolve("hack/control-plane.sh").toString(), "env");
            builder.environment().put("MAILROUTE_STATE", STATE);
            Process process = builder.redirectErrorStream(false).start();
            String out = new String(process.getInputStream().readAllBytes());
            process.waitFor(1, TimeUnit.MINUTES);
            return exports(
                    out,
                    "hack/control-plane.sh env",
                    "MAILROUTE_API_URL",
                    "MAILROUTE_API_TOKEN",
                    "MAILROUTE_API_CA_FILE");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The {@code export KEY=VALUE} lines a hack/ script printed for {@code eval} (values
     * single-quoted or with escaped spaces); fails naming {@code what} when one of {@code required}
     * is missing.
     */
    public static Map<String, String> exports(String out, String what, String... required) {
        Map<String, String> env = new HashMap<>();
        for (String line : out.split("\n")) {
            String l = line.strip();
            if (l.startsWith("export ")) {
                l = l.substring("export ".length());
            }
            int eq = l.indexOf('=');
            if (eq > 0) {
                env.put(l.substring(0, eq), unquote(l.substring(eq + 1)));
            }
        }
        for (String key : required) {
            if (!env.containsKey(key)) {
                throw new IllegalStateException(what + " did not print " + key + ": " + out);
            }
        }
        return env;
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
            return value.substring(1, value.length() - 1);
        }
        return value.replace("\\ ", " ");
    }
}
