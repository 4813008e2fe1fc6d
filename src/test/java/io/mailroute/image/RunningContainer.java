package io.mailroute.image;

import static org.assertj.core.api.Assertions.fail;

import io.mailroute.relay.fixtures.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A detached container ({@code ctr run -d --net-host}) of the private {@link Containerd}. {@link
 * #close()} stops it (SIGTERM, then SIGKILL) and deletes task, container and snapshot; {@link
 * #start} closes it itself when the start fails, so no caller is left without a handle.
 */
public final class RunningContainer implements AutoCloseable {

    private static final Duration CTR_TIMEOUT = Duration.ofSeconds(60);

    private final Containerd containerd;
    private final String id;
    private final Path log;
    private boolean closed;

    private RunningContainer(Containerd containerd, String id, Path log) {
        this.containerd = containerd;
        this.id = id;
        this.log = log;
    }

    /**
     * Starts {@code image} on the host network with the given {@code ctr run} options (--env,
     * --mount, ...); stdout and stderr go to a log file ({@link #log()}).
     */
    public static RunningContainer start(
            Containerd containerd, String image, String prefix, List<String> options) {
        String id =
                prefix
                        + "-"
                        + ProcessHandle.current().pid()
                        + "-"
                        + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
        Path log;
        try {
            log = Files.createTempFile("mailroute-" + prefix + "-", ".log");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        RunningContainer container = new RunningContainer(containerd, id, log);
        List<String> args =
                new ArrayList<>(List.of("run", "-d", "--net-host", "--log-uri", "file://" + log));
        args.addAll(options);
        args.add(image);
        args.add(id);
        try {
            Commands.Result result = containerd.run(CTR_TIMEOUT, args.toArray(String[]::new));
            if (result.exitCode() != 0) {
                fail("ctr run %s failed (exit %d): %s", image, result.exitCode(), result.output());
            }
            return container;
        } catch (RuntimeException | AssertionError e) {
            container.close();
            throw e;
        }
    }

    public String id() {
        return id;
    }

    /**
     * The task's pid on the host (its init: tini in the relay image), or -1 when it has no running
     * task.
     */
    public long pid() {
        Commands.Result tasks = containerd.run(CTR_TIMEOUT, "tasks", "ls");
        for (String line : tasks.stdout().split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length >= 3 && fields[0].equals(id) && fields[2].equals("RUNNING")) {
                return Long.parseLong(fields[1]);
            }
        }
        return -1;
    }

    public boolean running() {
        return pid() > 0;
    }

    /** What the container wrote to stdout and stderr so far. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** The last lines of {@link #log()}, for assertion messages. */
    public String logTail() {
        String[] lines = log().split("\n");
        return "\n--- container "
                + id
                + " log (last lines) ---\n"
                + String.join(
                        "\n", List.of(lines).subList(Math.max(0, lines.length - 40), lines.length));
    }

    /**
     * Stops the task (SIGTERM, up to 30 s, then SIGKILL) and deletes it and the container;
     * idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        containerd.run(CTR_TIMEOUT, "tasks", "kill", "-s", "SIGTERM", id);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (running() && System.nanoTime() < deadline) {
            sleep(200);
        }
        if (running()) {
            containerd.run(CTR_TIMEOUT, "tasks", "kill", "-a", "-s", "SIGKILL", id);
            long killDeadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (running() && System.nanoTime() < killDeadline) {
                sleep(200);
            }
        }
        containerd.run(CTR_TIMEOUT, "tasks", "delete", "-f", id);
        Commands.Result deleted = containerd.run(CTR_TIMEOUT, "containers", "delete", id);
        if (deleted.exitCode() != 0 && !deleted.output().contains("not found")) {
            throw new IllegalStateException(
                    "could not delete container " + id + ": " + deleted.output());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs {@code sh -c script} in a new container of the project's image {@code image} ({@link
     * Containerd#image}) until it exits.
     */
    public static Commands.Result runShell(
            String image, String prefix, List<String> options, Duration timeout, String script) {
        Containerd containerd = Containerd.get();
        return runToCompletion(
                containerd, containerd.image(image), prefix, options, timeout, "sh", "-c", script);
    }

    /**
     * {@code ctr run --rm IMAGE ID ARGS...} in the foreground: the container's exit code and
     * output.
     */
    public static Commands.Result runToCompletion(
            Containerd containerd,
            String image,
            String prefix,
            List<String> options,
            Duration timeout,
            String... args) {
        String id =
                prefix
                        + "-"
                        + ProcessHandle.current().pid()
                        + "-"
                        + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 24));
        List<String> command = new ArrayList<>(List.of("run", "--rm", "--net-host"));
        command.addAll(options);
        command.add(image);
        command.add(id);
        command.addAll(List.of(args));
        try {
            return Commands.run(containerd.ctr(command.toArray(String[]::new)), Map.of(), timeout);
        } finally {
            // --rm deletes the container when ctr sees the task exit; a timeout or a failed start
            // leaves it behind
            new RunningContainer(containerd, id, Path.of("/dev/null")).close();
        }
    }
}
