package io.mailroute.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Stops a process that a test fixture started together with everything it started: a fixture that
 * only signals its direct child leaves grandchildren (busybox httpd, a sink behind {@code ip netns
 * exec}, Postfix daemons) running after the suite, where they keep ports and cores busy.
 */
public final class ProcessTrees {

    private ProcessTrees() {}

    /**
     * Sends SIGTERM to {@code root}, waits up to {@code grace} for it, then SIGKILLs it; afterwards
     * every descendant seen before the signal that is still alive gets the same treatment. Safe to
     * call on a process that already exited.
     */
    public static void stop(ProcessHandle root, Duration grace) {
        List<ProcessHandle> descendants = root.descendants().toList();
        terminate(root, grace);
        for (ProcessHandle child : descendants) {
            terminate(child, Duration.ofSeconds(5));
        }
    }

    private static void terminate(ProcessHandle process, Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            process.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // still alive after the grace period (or gone in between): kill below
        }
        if (process.isAlive()) {
            process.destroyForcibly();
            process.onExit().join();
        }
    }
}
