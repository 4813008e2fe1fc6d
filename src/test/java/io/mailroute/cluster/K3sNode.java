package io.mailroute.cluster;

import io.mailroute.testing.ControlPlane;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * A K3s node in Docker (Testcontainers' {@code org.testcontainers:k3s}) for the journey, where a
 * Docker engine exists and no kubeconfig is given. The images built by hack/build-images.sh are
 * imported into its containerd (the chart and the operator use {@code pullPolicy: Never}-style
 * local images), and, when this JVM runs as root, the pod and Service networks (K3s defaults
 * 10.42.0.0/16, 10.43.0.0/16) are routed to the container so the test reaches pod and Service IPs
 * like on the hack/cluster.sh node. The SMTP sinks listen on the Docker bridge gateway, which pods
 * reach.
 *
 * <p>Not run on the machines this was written on (no Docker engine there): the selection below is
 * unit-tested ({@code ClusterSelectionTest}), the K3s path itself is unverified.
 */
final class K3sNode {
    /** K3s release matching the oldest Kubernetes the chart supports (1.25+). */
    static final String IMAGE = "rancher/k3s:v1.27.16-k3s1";

    static final List<String> ROUTED = List.of("10.42.0.0/16", "10.43.0.0/16");

    enum Source {
        GIVEN_KUBECONFIG,
        K3S_IN_DOCKER,
        LOCAL_NODE
    }

    private final K3sContainer container;
    private final Path kubeconfig;
    private final String gateway;
    private final boolean routed;

    /**
     * Which cluster the journey uses: a given kubeconfig always wins; {@code
     * MAILROUTE_TEST_K3S=never} forces the hack/cluster.sh node, {@code always} forces K3s;
     * otherwise K3s only when a Docker engine answers.
     */
    static Source select(
            String givenKubeconfig, String k3sSetting, BooleanSupplier dockerAvailable) {
        if (givenKubeconfig != null && !givenKubeconfig.isBlank()) {
            return Source.GIVEN_KUBECONFIG;
        }
        String setting = k3sSetting == null ? "" : k3sSetting.trim();
        switch (setting) {
            case "never":
                return Source.LOCAL_NODE;
            case "always":
                return Source.K3S_IN_DOCKER;
            case "", "auto":
                return dockerAvailable.getAsBoolean() ? Source.K3S_IN_DOCKER : Source.LOCAL_NODE;
            default:
                throw new IllegalArgumentException(
                        "MAILROUTE_TEST_K3S must be auto, always or never, not '" + setting + "'");
        }
    }

    /**
     * Whether a Docker engine answers. Asks Testcontainers only when there is a hint of one
     * (DOCKER_HOST, a Docker socket, a Testcontainers config), so a machine without Docker costs
     * nothing and logs nothing.
     */
    static boolean dockerAvailable() {
        boolean hint =
                System.getenv("DOCKER_HOST") != null
                        || Files.exists(Path.of("/var/run/docker.sock"))
                        || Files.exists(
                                Path.of(
                                        System.getProperty("user.home"),
                                        ".testcontainers.properties"));
        if (!hint) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private K3sNode(K3sContainer container, Path kubeconfig, String gateway, boolean routed) {
        this.container = container;
        this.kubeconfig = kubeconfig;
        this.gateway = gateway;
        this.routed = routed;
    }

    static K3sNode start() {
        K3sContainer container = new K3sContainer(DockerImageName.parse(IMAGE));
        container.start();
        try {
            for (String image : List.of("postfix-relay-0.1.0.oci.tar", "operator-0.1.0.oci.tar")) {
                Path archive = imagesDir().resolve(image).toRealPath();
                container.copyFileToContainer(MountableFile.forHostPath(archive), "/tmp/" + image);
                Container.ExecResult imported =
                        container.execInContainer(
                                "ctr", "-n", "k8s.io", "images", "import", "/tmp/" + image);
                if (imported.getExitCode() != 0) {
                    throw new IllegalStateException(
                            "importing " + archive + " into K3s failed: " + imported.getStderr());
                }
            }
            Path kubeconfig = Files.createTempFile("k3s-kubeconfig", ".yaml");
            Files.writeString(kubeconfig, container.getKubeConfigYaml());
            String gateway =
                    container
                            .getContainerInfo()
                            .getNetworkSettings()
                            .getNetworks()
                            .values()
                            .iterator()
                            .next()
                            .getGateway();
            String address =
                    container
                            .getContainerInfo()
                            .getNetworkSettings()
                            .getNetworks()
                            .values()
                            .iterator()
                            .next()
                            .getIpAddress();
            boolean routed =
                    "root".equals(System.getProperty("user.name")) && route("replace", address);
            return new K3sNode(container, kubeconfig, gateway, routed);
        } catch (IOException | RuntimeException e) {
            container.stop();
            throw new IllegalStateException("K3s node: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            container.stop();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Path kubeconfig() {
        return kubeconfig;
    }

    /** The Docker bridge gateway: an address of this host that pods in the container reach. */
    String nodeAddress() {
        return gateway;
    }

    void stop() {
        if (routed) {
            route("del", null);
        }
        container.stop();
        try {
            Files.deleteIfExists(kubeconfig);
        } catch (IOException ignored) {
            // a temp file
        }
    }

    private static Path imagesDir() {
        String dir = System.getenv("MAILROUTE_IMAGES_DIR");
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir);
        }
        String cache = System.getenv("MAILROUTE_CACHE");
        return Path.of(cache == null || cache.isBlank() ? "/var/cache/mailroute" : cache, "images");
    }

    private static boolean route(String verb, String via) {
        boolean ok = true;
        for (String cidr : ROUTED) {
            List<String> command =
                    via == null
                            ? List.of("ip", "route", verb, cidr)
                            : List.of("ip", "route", verb, cidr, "via", via);
            try {
                Process p =
                        new ProcessBuilder(command)
                                .redirectErrorStream(true)
                                .directory(ControlPlane.repoRoot().toFile())
                                .start();
                ok &= p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException e) {
                ok = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return ok;
    }
}
