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
 * The real Kubernetes API server for tests: one per test JVM, started with {@code hack/control-plane.sh start}
 * (etcd + kube-apiserver built from Debian's source package) unless one is already running, with the committed
 * {@code crds/} applied. A control plane this JVM started is stopped when the JVM exits.
 */
public final class ControlPlane {
    private static ControlPlane instance;

    private final Map<String, String> env;
    private final KubernetesClient client;

    private ControlPlane(Map<String, String> env) {
        this.env = env;
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl(env.get("MAILROUTE_API_URL"))
                .withOauthToken(env.get("MAILROUTE_API_TOKEN"))
                .withCaCertFile(env.get("MAILROUTE_API_CA_FILE"))
                .withRequestTimeout(30_000)
                .build();
        this.client = new KubernetesClientBuilder().withConfig(config).build();
    }

    /**
     * State directory of this JVM's control plane: its own, so that a test run never reuses a control plane it did
     * not start (the demo's, another build's) and parallel test JVMs never share one.
     */
    private static final String STATE = System.getProperty("java.io.tmpdir") + "/mailroute-test-control-plane-"
            + ProcessHandle.current().pid();

    /** Starts this JVM's control plane (stopped when the JVM exits) and applies the CRDs; idempotent. */
    public static synchronized ControlPlane get() {
        if (instance == null) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> run("stop")));
            if (run("start") != 0) {
                run("stop"); // whatever half of it started
                throw new IllegalStateException("hack/control-plane.sh start failed; see its output above");
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

    /** Creates or updates every CRD in crds/ and waits until the CRDs are established. */
    public void applyCrds() {
        try (Stream<Path> files = Files.list(repoRoot().resolve("crds"))) {
            for (Path file : files.sorted().toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    List<HasMetadata> items = client.load(in).items();
                    for (HasMetadata item : items) {
                        // Not server-side apply: v1.20 rejects the x-kubernetes-validations (CEL) field in typed SSA patches,
                        // while create/update simply drops it (1.25+ enforces it).
                        client.resource(item).unlock().createOr(NonDeletingOperation::update);
                        client.resources(CustomResourceDefinition.class).withName(item.getMetadata().getName())
                                .waitUntilCondition(ControlPlane::established, 30, TimeUnit.SECONDS);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read crds/", e);
        }
    }

    private static boolean established(CustomResourceDefinition crd) {
        return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** The repository root (the directory holding pom.xml). */
    public static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("pom.xml"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("pom.xml not found above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    private static int run(String command) {
        try {
            ProcessBuilder builder = new ProcessBuilder("bash", repoRoot().resolve("hack/control-plane.sh").toString(),
                    command).inheritIO().redirectOutput(ProcessBuilder.Redirect.DISCARD);
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
            ProcessBuilder builder = new ProcessBuilder("bash", repoRoot().resolve("hack/control-plane.sh").toString(),
                    "env");
            builder.environment().put("MAILROUTE_STATE", STATE);
            Process process = builder
                    .redirectErrorStream(false).start();
            String out = new String(process.getInputStream().readAllBytes());
            process.waitFor(1, TimeUnit.MINUTES);
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
            for (String key : List.of("MAILROUTE_API_URL", "MAILROUTE_API_TOKEN", "MAILROUTE_API_CA_FILE")) {
                if (!env.containsKey(key)) {
                    throw new IllegalStateException("hack/control-plane.sh env did not print " + key + ": " + out);
                }
            }
            return env;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
            return value.substring(1, value.length() - 1);
        }
        return value.replace("\\ ", " ");
    }
}
