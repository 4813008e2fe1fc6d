package io.mailroute.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.mailroute.testing.ControlPlane;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Kubernetes cluster with at least one node, given by a kubeconfig: {@code
 * MAILROUTE_TEST_KUBECONFIG} (plus {@code MAILROUTE_TEST_NODE_ADDRESS}, an address of the test host
 * that pods reach, for the SMTP sinks) when set, e.g. a K3s cluster; otherwise, where a Docker
 * engine answers, a K3s node from Testcontainers ({@link K3sNode}, {@code
 * MAILROUTE_TEST_K3S=auto|always|never}); otherwise the one-node cluster of {@code
 * hack/cluster.sh}, started here and stopped when the JVM exits. Starting fails (never skips) with
 * the script's last output lines when the cluster cannot start.
 */
public final class Cluster {
    private static Cluster instance;
    private static boolean startedHere;
    private static K3sNode k3s;

    private final Path kubeconfig;
    private final String nodeAddress;
    private final KubernetesClient client;

    private Cluster(Path kubeconfig, String nodeAddress) {
        this.kubeconfig = kubeconfig;
        this.nodeAddress = nodeAddress;
        try {
            Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
            config.setRequestTimeout(30_000);
            this.client = new KubernetesClientBuilder().withConfig(config).build();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read kubeconfig " + kubeconfig, e);
        }
    }

    public static synchronized Cluster get() {
        if (instance == null) {
            String given = System.getenv("MAILROUTE_TEST_KUBECONFIG");
            K3sNode.Source source =
                    K3sNode.select(
                            given, System.getenv("MAILROUTE_TEST_K3S"), K3sNode::dockerAvailable);
            System.out.println("[cluster] journey cluster: " + source);
            if (source == K3sNode.Source.K3S_IN_DOCKER) {
                long t0 = System.nanoTime();
                k3s = K3sNode.start();
                Runtime.getRuntime().addShutdownHook(new Thread(Cluster::stopIfStartedHere));
                System.out.printf(
                        "[cluster] K3s node (%s) started in %.1fs%n",
                        K3sNode.IMAGE, (System.nanoTime() - t0) / 1e9);
                instance = new Cluster(k3s.kubeconfig(), k3s.nodeAddress());
            } else if (source == K3sNode.Source.GIVEN_KUBECONFIG) {
                String address = System.getenv("MAILROUTE_TEST_NODE_ADDRESS");
                if (address == null || address.isBlank()) {
                    throw new IllegalStateException(
                            "MAILROUTE_TEST_KUBECONFIG needs MAILROUTE_TEST_NODE_ADDRESS: an "
                                    + "address of this host that pods can reach (the SMTP sinks listen there)");
                }
                instance = new Cluster(Path.of(given), address);
            } else {
                long t0 = System.nanoTime();
                Result start = script("start", 25);
                if (start.exit != 0) {
                    throw new IllegalStateException(
                            "hack/cluster.sh start failed (exit "
                                    + start.exit
                                    + "); its last output lines:\n"
                                    + start.tail);
                }
                startedHere = true;
                // A fallback only: Surefire kills a forked JVM 30 s after the tests, before a full
                // stop could finish.
                Runtime.getRuntime().addShutdownHook(new Thread(Cluster::stopIfStartedHere));
                Map<String, String> env = parseEnv(start.stdout);
                System.out.printf(
                        "[cluster] hack/cluster.sh start took %.1fs%n",
                        (System.nanoTime() - t0) / 1e9);
                instance =
                        new Cluster(
                                Path.of(env.get("KUBECONFIG")),
                                env.get("MAILROUTE_CLUSTER_GATEWAY"));
            }
            instance.applyCrds();
        }
        return instance;
    }

    /**
     * Stops the cluster if this JVM started it (call from @AfterAll: the stop drains pods, which
     * takes a while).
     */
    public static synchronized void stopIfStartedHere() {
        if (k3s != null) {
            k3s.stop();
            k3s = null;
        }
        if (startedHere) {
            startedHere = false;
            long t0 = System.nanoTime();
            Result stop = script("stop", 5);
            System.out.printf(
                    "[cluster] hack/cluster.sh stop took %.1fs (exit %d)%n",
                    (System.nanoTime() - t0) / 1e9, stop.exit);
            if (stop.exit != 0) {
                throw new IllegalStateException("hack/cluster.sh stop failed:\n" + stop.tail);
            }
        }
    }

    /**
     * Whether this JVM started the cluster (hack/cluster.sh on this machine) and has not stopped it
     * yet.
     */
    public static synchronized boolean startedHere() {
        return startedHere;
    }

    public KubernetesClient client() {
        return client;
    }

    public Path kubeconfig() {
        return kubeconfig;
    }

    /** An address of this host that pods reach. */
    public String nodeAddress() {
        return nodeAddress;
    }

    private void applyCrds() {
        try (Stream<Path> files = Files.list(ControlPlane.repoRoot().resolve("crds"))) {
            for (Path file : files.sorted().toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    for (HasMetadata item : client.load(in).items()) {
                        client.resource(item).unlock().createOr(NonDeletingOperation::update);
                        client.resources(CustomResourceDefinition.class)
                                .withName(item.getMetadata().getName())
                                .waitUntilCondition(
                                        crd ->
                                                crd != null
                                                        && crd.getStatus() != null
                                                        && crd.getStatus().getConditions() != null
                                                        && crd.getStatus().getConditions().stream()
                                                                .anyMatch(
                                                                        c ->
                                                                                "Established"
                                                                                                .equals(
                                                                                                        c
                                                                                                                .getType())
                                                                                        && "True"
                                                                                                .equals(
                                                                                                        c
                                                                                                                .getStatus())),
                                        30,
                                        TimeUnit.SECONDS);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read crds/", e);
        }
    }

    private record Result(int exit, String stdout, String tail) {}

    private static Result script(String command, int minutes) {
        try {
            Path err = Files.createTempFile("cluster-" + command, ".log");
            Path out = Files.createTempFile("cluster-" + command, ".out");
            Process process =
                    new ProcessBuilder(
                                    "bash",
                                    ControlPlane.repoRoot().resolve("hack/cluster.sh").toString(),
                                    command)
                            .redirectError(err.toFile())
                            .redirectOutput(out.toFile())
                            .redirectInput(
                                    ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                            .start();
            if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return new Result(-1, "", "timed out after " + minutes + " minutes\n" + tail(err));
            }
            System.err.print(Files.readString(err));
            Result result =
                    new Result(
                            process.exitValue(),
                            Files.readString(out, StandardCharsets.UTF_8),
                            tail(err));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return result;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run hack/cluster.sh " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String tail(Path file) throws IOException {
        Deque<String> lines = new ArrayDeque<>();
        for (String line : Files.readAllLines(file)) {
            lines.addLast(line);
            if (lines.size() > 40) {
                lines.removeFirst();
            }
        }
        return String.join("\n", lines);
    }

    private static Map<String, String> parseEnv(String out) {
        return ControlPlane.exports(
                out, "hack/cluster.sh start", "KUBECONFIG", "MAILROUTE_CLUSTER_GATEWAY");
    }
}
