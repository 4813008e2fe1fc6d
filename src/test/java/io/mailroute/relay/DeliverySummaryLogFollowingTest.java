package io.mailroute.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailroute.relay.fixtures.Commands;
import io.mailroute.relay.fixtures.RelayInstance;
import io.mailroute.testing.RealComponents;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * delivery-summary.pl on its own, fed by a writer that appends like postlogd (O_APPEND, one write
 * per line), a line every 50-100 µs, while the script keeps the log file bounded
 * (RELAY_MAILLOG_MAX_BYTES). Emptying the file by truncation lost a line whenever one was appended
 * between the last read and the truncation; what was read must be given back without touching what
 * was not.
 */
@RealComponents
class DeliverySummaryLogFollowingTest {

    private static final int LINES = 20_000;
    private static final int MAX_BYTES = 8192;

    @TempDir Path dir;
    private Process script;

    @AfterEach
    void stop() throws InterruptedException {
        if (script != null && script.isAlive()) {
            script.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void noLineAppendedWhileTheLogIsBoundedIsLostOrRepeated() throws Exception {
        Path config = Files.createDirectories(dir.resolve("config"));
        Files.writeString(config.resolve("transport"), "ok.test smtp:[192.0.2.1]:25\n");
        Path maillog = Files.createFile(dir.resolve("maillog"));
        Path echo = dir.resolve("echo");
        Path summary = dir.resolve("delivery");
        ProcessBuilder builder =
                new ProcessBuilder(
                                "perl",
                                RelayInstance.SCRIPTS.resolve("delivery-summary.pl").toString(),
                                maillog.toString(),
                                config.toString(),
                                summary.toString())
                        .redirectOutput(echo.toFile())
                        .redirectError(dir.resolve("stderr").toFile());
        builder.environment().put("RELAY_MAILLOG_MAX_BYTES", Integer.toString(MAX_BYTES));
        builder.environment().put("RELAY_MAILLOG_ECHO", "1");
        builder.environment().put("RELAY_QUEUE_SCAN_SECONDS", "9999999");
        script = builder.start();
        await("the script follows the log")
                .atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(summary));

        List<String> written = new ArrayList<>(LINES);
        try (FileChannel log =
                FileChannel.open(maillog, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            for (int i = 0; i < LINES; i++) {
                String line =
                        "Dec  2 12:00:00 relay postfix/smtp[4242]: 4F"
                                + Integer.toHexString(i).toUpperCase()
                                + ": to=<bob"
                                + i
                                + "@ok.test>, relay=mx.ok.test[192.0.2.1]:25, delay=0.1,"
                                + " dsn=2.0.0, status=sent (250 2.0.0 queued as "
                                + i
                                + ")";
                written.add(line);
                log.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII)));
                // a burst would be written before the script reads it: spread the lines over a few
                // seconds so that appends keep meeting the script's reads
                LockSupport.parkNanos(50_000);
            }
        }
        long logged = Files.size(maillog);

        List<String> echoed = awaitEchoed(echo);
        List<String> missing = new ArrayList<>(written);
        missing.removeAll(new HashSet<>(echoed));
        assertThat(missing).as("appended lines never read (of %d)", LINES).isEmpty();
        assertThat(echoed.equals(written)).as("every line echoed once, in order").isTrue();
        assertThat(Commands.diskBytes(maillog))
                .as("disk space the log holds, of %d bytes appended", logged)
                .isLessThan(MAX_BYTES + 4 * 4096L);
        assertThat(Files.readString(dir.resolve("stderr"))).isEmpty();

        script.destroy(); // SIGTERM: the script writes its summary once more and exits
        assertThat(script.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(summary))
                .as("every delivery counted")
                .contains("domain=ok.test sent=" + LINES + " ");
    }

    /** The echoed lines once all are there, or once their number stopped growing for 3 s. */
    private List<String> awaitEchoed(Path echo) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long stalledSince = System.nanoTime();
        List<String> echoed = echoed(echo);
        while (echoed.size() < LINES
                && script.isAlive()
                && System.nanoTime() < deadline
                && System.nanoTime() - stalledSince < TimeUnit.SECONDS.toNanos(3)) {
            Thread.sleep(200);
            List<String> now = echoed(echo);
            if (now.size() != echoed.size()) {
                stalledSince = System.nanoTime();
            }
            echoed = now;
        }
        return echoed;
    }

    private static List<String> echoed(Path echo) throws IOException {
        return Files.readAllLines(echo, StandardCharsets.US_ASCII);
    }
}
