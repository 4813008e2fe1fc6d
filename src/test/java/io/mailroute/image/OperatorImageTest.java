package io.mailroute.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.mailroute.MailrouteMain;
import io.mailroute.relay.fixtures.Commands;
import io.mailroute.testing.RealComponents;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The operator image built by {@code hack/build-images.sh}, run by containerd as built (its
 * ENTRYPOINT, its user) with a read-only root filesystem like the chart's securityContext: Java
 * starts and the command line works.
 */
@RealComponents
class OperatorImageTest {

    private static final Duration RUN = Duration.ofSeconds(120);
    private static final Path EXAMPLES = Path.of("examples").toAbsolutePath();
    private Path base;

    @AfterEach
    void cleanUp() throws IOException {
        if (base != null) {
            try (Stream<Path> files = Files.walk(base)) {
                files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void imageRunsAsUser185ThroughTheShellEntrypoint() {
        JsonNode config = Containerd.get().imageConfig("operator");

        assertThat(config.path("User").asText()).isEqualTo("185");
        assertThat(config.path("Entrypoint").toString())
                .isEqualTo(
                        "[\"sh\",\"-c\",\"exec java $JAVA_OPTS -jar /deployments/mailroute-operator.jar \\\"$@\\\"\",\"--\"]");
        assertThat(config.path("Cmd").isMissingNode() || config.path("Cmd").isNull())
                .as("no CMD: no args = operator")
                .isTrue();
    }

    @Test
    void checkHelpStartsJavaAndExitsZero() {
        Containerd containerd = Containerd.get();
        String image = containerd.image("operator");

        Commands.Result run =
                RunningContainer.runToCompletion(
                        containerd,
                        image,
                        "operator-help",
                        List.of("--read-only"),
                        RUN,
                        podCommand(containerd, "check", "--help"));

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.stdout())
                .as(run.output())
                .startsWith("usage: mailroute check ")
                .contains("mailroute render -f");
    }

    @Test
    void theImagesJvmMapsTheOperatorsClassesFromTheImagesCdsArchive() {
        // -Xshare:on: the JVM refuses to start when it cannot use the archive JAVA_OPTS names
        // (made by another JVM, for another jar, or missing) instead of silently loading every
        // class from the jar, which only shows as a slow start
        Commands.Result run =
                RunningContainer.runShell(
                        "operator",
                        "operator-cds",
                        List.of("--read-only"),
                        RUN,
                        "exec java $JAVA_OPTS -Xshare:on -Xlog:class+load=info -jar"
                                + " /deployments/mailroute-operator.jar check --help");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.stdout())
                .as("the entry point's class comes from the archive, not from the jar")
                .containsPattern("io\\.mailroute\\.MailrouteMain source: shared objects file");
    }

    @Test
    void theJvmsOwnWarningsGoToStderrSoThatStdoutHoldsOnlyTheCommandsOutput() {
        // a young generation larger than the initial heap: a JVM warning on every machine (unlike
        // the transparent huge pages one, which depends on the node); by default the JVM prints
        // its warnings on stdout, where they would break `mailroute check --output json | jq`
        Commands.Result run =
                RunningContainer.runShell(
                        "operator",
                        "operator-warning",
                        List.of("--read-only"),
                        RUN,
                        "exec java $JAVA_OPTS -Xms64m -XX:NewSize=100m -jar"
                                + " /deployments/mailroute-operator.jar check --help");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.stderr()).contains("[warning][gc,ergo] NewSize");
        assertThat(run.stdout()).as(run.output()).startsWith("usage: mailroute check ");
    }

    @Test
    void renderInTheImageWritesTheSameFilesAsTheJarAsUser185() throws IOException {
        Containerd containerd = Containerd.get();
        String image = containerd.image("operator");
        base = Files.createTempDirectory("mailroute-operator-image-");
        Path inImage = Files.createDirectory(base.resolve("image"));
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        // the image's user (185) must be able to write here
        Files.setPosixFilePermissions(inImage, PosixFilePermissions.fromString("rwxrwxrwx"));

        Commands.Result run =
                RunningContainer.runToCompletion(
                        containerd,
                        image,
                        "operator-render",
                        List.of(
                                "--read-only",
                                "--mount",
                                "type=bind,src=" + EXAMPLES + ",dst=/examples,options=rbind:ro",
                                "--mount",
                                "type=bind,src=" + inImage + ",dst=/out,options=rbind:rw"),
                        RUN,
                        podCommand(
                                containerd, "render", "-f", "/examples", "--output-dir", "/out"));
        assertThat(run.exitCode()).as(run.output()).isZero();

        Path inJvm = base.resolve("jvm");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit =
                MailrouteMain.run(
                        List.of(
                                "render",
                                "-f",
                                EXAMPLES.toString(),
                                "--output-dir",
                                inJvm.toString()),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();

        Map<String, String> expected = files(inJvm);
        assertThat(expected)
                .as("the examples render at least one relay")
                .containsKey("default/outbound/main.cf");
        assertThat(files(inImage)).isEqualTo(expected);
        try (Stream<Path> written = Files.walk(inImage)) {
            for (Path file : written.filter(Files::isRegularFile).toList()) {
                assertThat(Files.getAttribute(file, "unix:uid"))
                        .as("owner of " + file)
                        .isEqualTo(185);
            }
        }
    }

    /** The image's ENTRYPOINT followed by {@code args}: what a pod with these {@code args} runs. */
    private static String[] podCommand(Containerd containerd, String... args) {
        List<String> command = new ArrayList<>();
        containerd
                .imageConfig("operator")
                .path("Entrypoint")
                .forEach(part -> command.add(part.asText()));
        assertThat(command).as("the image's ENTRYPOINT").isNotEmpty();
        command.addAll(List.of(args));
        return command.toArray(String[]::new);
    }

    private static Map<String, String> files(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(dir.relativize(file).toString(), Files.readString(file));
            }
        }
        return files;
    }
}
