package io.mailroute.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.testing.ControlPlane;
import io.mailroute.testing.ProcessTrees;
import io.mailroute.testing.RealComponents;
import io.mailroute.testing.TestNamespace;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The committed class list the operator image's CDS archive is made from ({@code
 * src/main/docker/operator/start-classes.lst}, see cds-archive.sh) still names the classes a start
 * of the packaged jar loads. A class it lacks is loaded from the jar at every start of every pod,
 * which only shows as a slower start; after a change of dependencies or of the start path this test
 * says to run {@code hack/update-start-classes.sh}.
 *
 * <p>Runs the jar as the image does (the image's JAVA_OPTS without the archive, no kubeconfig)
 * against the test API server until it is ready, then stops it, with the JVM writing the classes it
 * loaded. The operator watches only a namespace of its own and holds its Lease there, so it leaves
 * other tests' resources alone.
 */
@RealComponents
class StartClassesTest {

    private static final Path JAR = Path.of("target/mailroute-operator-runner.jar");
    private static final Path LIST = Path.of("src/main/docker/operator/start-classes.lst");
    private static final Path DOCKERFILE = Path.of("src/main/docker/operator/Dockerfile");

    /**
     * Classes Quarkus generates while packaging, with names that change from one package to the
     * next: the image's build adds them from a training start of its own.
     */
    private static final List<String> GENERATED =
            List.of("io/quarkus/runner/", "io/quarkus/runtime/generated/");

    /**
     * At most this share of a start's classes may be missing from the list. A start is not quite
     * deterministic (which thread wins a race, a retried request), so a start may load a few
     * classes a current list lacks (none in the runs so far); a dependency upgrade changes
     * hundreds.
     */
    private static final double MAX_MISSING = 0.01;

    @Test
    void theCommittedClassListCoversTheClassesOfAStart() throws Exception {
        assertThat(JAR)
                .as("the packaged jar (mvn package; the integration tier runs after it)")
                .exists();
        Set<String> listed = classNames(Files.readAllLines(LIST));
        Set<String> loaded = classNamesOfAStart();

        Set<String> missing = new TreeSet<>(loaded);
        missing.removeAll(listed);
        assertThat(loaded).as("classes of a start").hasSizeGreaterThan(5_000);
        assertThat((double) missing.size() / loaded.size())
                .as(
                        "%d of the %d classes of a start are not in %s (run"
                                + " hack/update-start-classes.sh), first: %s",
                        missing.size(), loaded.size(), LIST, missing.stream().limit(20).toList())
                .isLessThanOrEqualTo(MAX_MISSING);
    }

    private static Set<String> classNamesOfAStart() throws Exception {
        ControlPlane controlPlane = ControlPlane.get();
        Path dir = Files.createTempDirectory("start-classes");
        Path dumped = dir.resolve("classes.lst");
        Path log = dir.resolve("operator.log");
        int port = freePort();
        try (TestNamespace ns = TestNamespace.create(controlPlane.client())) {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(imageJavaOptionsWithoutArchive());
            command.addAll(
                    List.of(
                            "-Xmx256m",
                            "-XX:DumpLoadedClassList=" + dumped,
                            "-jar",
                            JAR.toString()));
            ProcessBuilder builder =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(log.toFile())
                            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().remove("KUBECONFIG");
            builder.environment()
                    .put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", controlPlane.apiUrl());
            builder.environment().put("QUARKUS_KUBERNETES_CLIENT_TOKEN", controlPlane.token());
            builder.environment()
                    .put("QUARKUS_KUBERNETES_CLIENT_CA_CERT_FILE", controlPlane.caFile());
            builder.environment().put("QUARKUS_OPERATOR_SDK_NAMESPACES", ns.name());
            builder.environment().put("MAILROUTE_LEADER_ELECTION_NAMESPACE", ns.name());
            // nothing to resolve: no routes in the namespace
            builder.environment().put("MAILROUTE_DNS_SERVERS", "127.0.0.1:9");
            builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
            Process operator = builder.start();
            try {
                awaitReady(operator, port, log);
                operator.destroy(); // SIGTERM: the list also holds the classes of a stop
                if (!operator.waitFor(30, TimeUnit.SECONDS)) {
                    throw new AssertionError("the operator did not stop within 30 s of SIGTERM");
                }
            } finally {
                ProcessTrees.stop(operator.toHandle(), Duration.ofSeconds(5));
            }
            assertThat(dumped).as("the JVM's class list; log:\n%s", Files.readString(log)).exists();
            return classNames(Files.readAllLines(dumped));
        } finally {
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** Class names of a class list: neither comments nor the {@code @lambda-...} lines. */
    static Set<String> classNames(List<String> lines) {
        return lines.stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#") && !line.startsWith("@"))
                .map(line -> line.split(" ", 2)[0])
                .filter(name -> GENERATED.stream().noneMatch(name::startsWith))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static List<String> imageJavaOptionsWithoutArchive() throws IOException {
        Matcher m =
                Pattern.compile("(?m)^\\s+JAVA_OPTS=\"([^\"]*)\"")
                        .matcher(Files.readString(DOCKERFILE));
        assertThat(m.find()).as("JAVA_OPTS in %s", DOCKERFILE).isTrue();
        return Arrays.stream(m.group(1).split("\\s+"))
                .filter(o -> !o.isEmpty() && !o.startsWith("-XX:SharedArchiveFile="))
                .toList();
    }

    private static void awaitReady(Process operator, int port, Path log) throws Exception {
        // HTTP/1.1 like the kubelet's probes (the JDK client would otherwise ask for an upgrade to
        // h2c, and the operator's server would load its HTTP/2 classes for it)
        HttpClient http =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(2))
                        .build();
        HttpRequest ready =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2))
                        .build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!operator.isAlive()) {
                throw new AssertionError("the operator exited; log:\n" + Files.readString(log));
            }
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError(
                "the operator was not ready within 120 s; log:\n" + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
