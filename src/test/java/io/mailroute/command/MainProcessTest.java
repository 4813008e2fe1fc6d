package io.mailroute.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailroute.MailrouteMain;
import io.mailroute.dns.fixtures.KnotServer;
import io.mailroute.testing.RealComponents;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The jar's real entry point in a separate JVM: {@code check} exits with its code through {@code
 * System.exit} and never boots Quarkus or the operator, even with a cluster configured that does
 * not exist.
 */
@RealComponents
class MainProcessTest {
    static KnotServer knot;

    record Result(int exit, String out, String err) {}

    @BeforeAll
    static void startKnot() throws Exception {
        knot = KnotServer.start();
    }

    @AfterAll
    static void stopKnot() throws Exception {
        knot.close();
    }

    @Test
    void checkRunsWithoutTheOperatorAndExitsWithItsCode() throws Exception {
        Result ok = main("check", "seed56.mx.test", "--resolver", knot.address());
        Result failed =
                main("check", "nullmx.mx.test", "--resolver", knot.address(), "--output", "json");

        assertThat(ok.exit()).as(ok.toString()).isZero();
        assertThat(ok.out()).startsWith("seed56.mx.test: OK (PASS)");
        assertThat(failed.exit()).as(failed.toString()).isEqualTo(2);
        assertThat(failed.out()).startsWith("{");
        for (Result r : List.of(ok, failed)) {
            assertThat(r.err()).as("no Quarkus, operator or Kubernetes client output").isEmpty();
            assertThat(r.out()).doesNotContain("Quarkus", "operator", "kubernetes");
        }
    }

    @Test
    void usageErrorExitsWith64() throws Exception {
        Result r = main("check", "--output", "xml", "example.com");

        assertThat(r.exit()).as(r.toString()).isEqualTo(64);
        assertThat(r.err()).startsWith("mailroute check: --output must be text or json, not xml");
        assertThat(r.out()).isEmpty();
    }

    /**
     * Runs {@code MailrouteMain.main(args)} in a new JVM on this test's class path, with a cluster
     * that is not there.
     */
    private static Result main(String... args) throws Exception {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                MailrouteMain.class.getName()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("mailroute-out", ".txt");
        Path err = Files.createTempFile("mailroute-err", ".txt");
        try {
            ProcessBuilder builder =
                    new ProcessBuilder(command)
                            .redirectOutput(out.toFile())
                            .redirectError(err.toFile());
            builder.environment().put("KUBECONFIG", "/nonexistent/kubeconfig");
            builder.environment().put("KUBERNETES_SERVICE_HOST", "127.0.0.1");
            builder.environment().put("KUBERNETES_SERVICE_PORT", "1");
            Process process = builder.start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(
                        "mailroute " + String.join(" ", args) + " did not exit within 60 s");
            }
            return new Result(
                    process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
