package io.mailroute.image;

import static io.mailroute.relay.fixtures.Configs.relayVia;
import static io.mailroute.relay.fixtures.Configs.render;
import static io.mailroute.relay.fixtures.Configs.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailroute.dependent.RelayConfigMapDependent;
import io.mailroute.postfix.PostfixConfig;
import io.mailroute.relay.fixtures.Commands;
import io.mailroute.relay.fixtures.Delivery;
import io.mailroute.relay.fixtures.Loopback;
import io.mailroute.relay.fixtures.MountedFiles;
import io.mailroute.relay.fixtures.RelayInstance;
import io.mailroute.relay.fixtures.SmtpClient;
import io.mailroute.relay.fixtures.SmtpSink;
import io.mailroute.testing.RealComponents;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The relay image built by {@code hack/build-images.sh}, run by containerd ({@code ctr run}, host
 * network) exactly as built: its entrypoint, its Postfix, its busybox status endpoint. The rendered
 * ConfigMap files (with {@code config-hash}, as the operator writes them) are bind-mounted in the
 * kubelet's {@code ..data} layout at /etc/mailroute/config. One container for the class; the tests
 * run in order and build on each other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@RealComponents
class RelayImageTest {

    private static final Duration LIVE = Duration.ofSeconds(60);
    private static final Duration DELIVERY = Duration.ofSeconds(30);

    private final SmtpSink first = SmtpSink.start(SmtpSink.Options.plain());
    private final SmtpSink second = SmtpSink.start(SmtpSink.Options.plain());
    private final SmtpSink smarthost = SmtpSink.start(SmtpSink.Options.plain());
    private final Loopback.Endpoint listen = Loopback.newEndpoint();
    private final Loopback.Endpoint statusListen = Loopback.newEndpoint();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final PostfixConfig initial =
            render(relayVia(smarthost.endpoint()), route("a.test", first.endpoint()));
    private final PostfixConfig changed =
            render(relayVia(smarthost.endpoint()), route("a.test", second.endpoint()));
    private Path base;
    private MountedFiles configMount;
    private RunningContainer relay;
    private long masterPid;

    @BeforeAll
    void startRelay() throws IOException {
        Containerd containerd = Containerd.get();
        String image = containerd.image("relay");
        base = Files.createTempDirectory("mailroute-relay-image-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        configMount = new MountedFiles(base.resolve("config"));
        publish(initial);
        relay =
                RunningContainer.start(
                        containerd,
                        image,
                        "relay",
                        List.of(
                                "--mount",
                                        "type=bind,src="
                                                + configMount.dir()
                                                + ",dst=/etc/mailroute/config,options=rbind:ro",
                                "--env", "RELAY_LISTEN=" + listen,
                                "--env", "RELAY_STATUS_LISTEN=" + statusListen));
    }

    @AfterAll
    void stopAll() throws IOException {
        try {
            if (relay != null) {
                relay.close();
            }
        } finally {
            Stream.of(first, second, smarthost).forEach(SmtpSink::close);
            if (base != null) {
                try (Stream<Path> files = Files.walk(base)) {
                    files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    @Test
    @Order(1)
    void goesLiveWithTheMountedConfigurationAndReportsItsHash() {
        Map<String, String> status =
                awaitStatus(
                        "live " + RelayInstance.hashOf(initial),
                        s ->
                                "running".equals(s.get("state"))
                                        && RelayInstance.hashOf(initial).equals(s.get("live")));
        assertThat(status).containsEntry("mounted", RelayInstance.hashOf(initial));
        masterPid =
                postfixMaster()
                        .orElseThrow(
                                () ->
                                        new AssertionError(
                                                "no Postfix master in the container"
                                                        + relay.logTail()));
        assertThat(relay.log())
                .contains("configuration " + RelayInstance.hashOf(initial) + " is live");
    }

    @Test
    @Order(2)
    void deliversMailForARoutedDomainToItsNextHop() throws Exception {
        SmtpClient.send(listen, "alice@sender.test", List.of("bob@a.test"), "image-routed");

        Delivery delivery = arrived(first, "image-routed");
        assertThat(delivery.mailFrom()).isEqualTo("alice@sender.test");
        assertThat(delivery.rcptTo()).containsExactly("bob@a.test");
        assertThat(smarthost.withSubject("image-routed")).isNull();
        assertThat(second.withSubject("image-routed")).isNull();
        // the image's delivery summary (perl-base, the log file echoed to stdout) counts it under
        // its routed domain
        org.awaitility.Awaitility.await("delivery summary of a.test")
                .atMost(DELIVERY)
                .pollInterval(Duration.ofMillis(250))
                .until(
                        () ->
                                delivery()
                                        .lines()
                                        .anyMatch(l -> l.startsWith("domain=a.test sent=1 ")));
        assertThat(delivery()).doesNotContain("bob", "alice");
        assertThat(relay.log())
                .as("Postfix's log still reaches the container log")
                .contains("to=<bob@a.test>");
    }

    private String delivery() throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(URI.create("http://" + statusListen + "/delivery"))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? response.body() : "";
    }

    @Test
    @Order(3)
    void changedConfigurationGoesLiveWithoutRestartingTheContainer() throws IOException {
        long taskPid = relay.pid();

        publish(changed);

        awaitStatus(
                "live " + RelayInstance.hashOf(changed),
                s ->
                        "running".equals(s.get("state"))
                                && RelayInstance.hashOf(changed).equals(s.get("live")));
        assertThat(relay.pid()).as("the container's init process").isEqualTo(taskPid);
        assertThat(postfixMaster())
                .as("the Postfix master (reloaded, not restarted)")
                .contains(masterPid);
        SmtpClient.send(listen, "alice@sender.test", List.of("carol@a.test"), "image-after-change");
        assertThat(arrived(second, "image-after-change").rcptTo()).containsExactly("carol@a.test");
        assertThat(first.withSubject("image-after-change")).isNull();
    }

    @Test
    @Order(4)
    void invalidConfigurationIsRefusedAndTheLastGoodOneStaysLive() throws IOException {
        PostfixConfig broken =
                new PostfixConfig(
                        changed.mainCf(),
                        changed.transport() + "a.test\n",
                        changed.tlsPolicy(),
                        changed.saslPasswd(),
                        changed.transportLines());

        publish(broken);

        Map<String, String> status =
                awaitStatus("state refused", s -> "refused".equals(s.get("state")));
        assertThat(status).containsEntry("live", RelayInstance.hashOf(changed));
        assertThat(status.get("message"))
                .contains(
                        "configuration " + RelayInstance.hashOf(broken) + " refused", "transport");
        assertThat(postfixMaster()).contains(masterPid);
        SmtpClient.send(listen, "alice@sender.test", List.of("dave@a.test"), "image-after-refusal");
        assertThat(arrived(second, "image-after-refusal").rcptTo()).containsExactly("dave@a.test");
    }

    /**
     * delivery-summary.pl bounds the Postfix log by punching holes in what it read (fallocate(1),
     * which it runs from the image). Where the file system cannot, it falls back to truncating,
     * which can lose a log line: the image must have the tool, and holes must work where the image
     * keeps its log (/run/mailroute: a tmpfs under ctr, the container's own overlay file system in
     * a Kubernetes pod, which /var/tmp stands for here).
     */
    @Test
    @Order(5)
    void theImageCanGiveBackTheDiskSpaceOfTheReadLog() {
        Commands.Result run =
                RunningContainer.runShell(
                        "relay",
                        "relay-holes",
                        List.of(),
                        Duration.ofSeconds(60),
                        "set -e; for d in \"$(dirname \"$RELAY_MAILLOG\")\" /var/tmp; do"
                                + " mkdir -p \"$d\"; f=\"$d/holes\"; head -c 1048576 /dev/urandom > \"$f\";"
                                + " fallocate --punch-hole --offset 0 --length 1044480 \"$f\";"
                                + " echo \"$d $(stat --format='%s %b' \"$f\")\"; done");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.stdout().lines())
                .as("directory, size, 512-byte blocks left")
                .hasSize(2)
                .allSatisfy(
                        line -> {
                            String[] fields = line.split(" ");
                            assertThat(fields[1]).as(line).isEqualTo("1048576");
                            assertThat(Long.parseLong(fields[2])).as(line).isLessThanOrEqualTo(16);
                        });
    }

    /** Publishes the ConfigMap the operator would write: the public files and config-hash. */
    private void publish(PostfixConfig config) {
        Map<String, String> files = new TreeMap<>(config.publicFiles());
        files.put(RelayConfigMapDependent.CONFIG_HASH_KEY, RelayInstance.hashOf(config));
        configMount.publish(files);
    }

    private Delivery arrived(SmtpSink sink, String subject) {
        try {
            return sink.awaitSubject(subject, DELIVERY);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "; status " + status() + relay.logTail(), e);
        }
    }

    private Map<String, String> awaitStatus(
            String what, java.util.function.Predicate<Map<String, String>> until) {
        try {
            return await(what)
                    .atMost(LIVE)
                    .pollInterval(Duration.ofMillis(250))
                    .failFast("the relay container exited", () -> !relay.running())
                    .until(this::status, until);
        } catch (ConditionTimeoutException | org.awaitility.core.TerminalFailureException e) {
            throw new AssertionError(e.getMessage() + "; status " + status() + relay.logTail(), e);
        }
    }

    /**
     * GET /status on the container's status endpoint, as key/value pairs (empty while it does not
     * answer).
     */
    private Map<String, String> status() {
        Map<String, String> status = new TreeMap<>();
        try {
            HttpResponse<String> response =
                    http.send(
                            HttpRequest.newBuilder(URI.create("http://" + statusListen + "/status"))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                for (String line : response.body().split("\n")) {
                    int eq = line.indexOf('=');
                    if (eq > 0) {
                        status.put(line.substring(0, eq), line.substring(eq + 1));
                    }
                }
            }
        } catch (IOException e) {
            // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return status;
    }

    /** The pid (on the host) of the Postfix master running inside the container. */
    private Optional<Long> postfixMaster() {
        long init = relay.pid();
        if (init <= 0) {
            return Optional.empty();
        }
        return ProcessHandle.of(init).stream()
                .flatMap(ProcessHandle::descendants)
                .filter(
                        p ->
                                p.info()
                                        .command()
                                        .map(c -> c.endsWith("/postfix/sbin/master"))
                                        .orElse(false))
                .map(ProcessHandle::pid)
                .findFirst();
    }
}
