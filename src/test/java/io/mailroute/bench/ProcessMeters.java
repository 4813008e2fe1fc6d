package io.mailroute.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** What a benchmark pass cost the whole process: CPU time and bytes allocated. */
final class ProcessMeters {

    private ProcessMeters() {}

    /**
     * CPU time of the whole process (all threads: JIT and GC included), the cost independent of how
     * much CPU other work on the machine left it; -1 if unknown.
     */
    static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean()
                        instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime()
                : -1;
    }

    /** Bytes allocated so far by each live thread, by thread id; empty if unknown. */
    static Map<Long, Long> allocations() {
        Map<Long, Long> bytes = new HashMap<>();
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t) {
            long[] ids = t.getAllThreadIds();
            long[] allocated = t.getThreadAllocatedBytes(ids);
            for (int i = 0; i < ids.length; i++) {
                if (allocated[i] >= 0) {
                    bytes.put(ids[i], allocated[i]);
                }
            }
        }
        return bytes;
    }

    /**
     * Bytes allocated since {@code before} ({@link #allocations()}) by the threads alive now:
     * threads started since count in full, threads that ended meanwhile are not counted (a pass
     * that starts and stops pools of its own must keep them until it reads this).
     */
    static long allocatedSince(Map<Long, Long> before) {
        long sum = 0;
        for (Map.Entry<Long, Long> e : allocations().entrySet()) {
            sum += Math.max(0, e.getValue() - before.getOrDefault(e.getKey(), 0L));
        }
        return sum;
    }

    /**
     * One full collection, made by the DNS benchmarks after their warm-up pass: the routes or names
     * they made (their fixture) and what the warm-up left go to the old generation, where a running
     * operator keeps its informers' routes. Without it the first cold passes' young collections
     * copied the fresh fixture from one survivor space to the other until it was old enough to be
     * promoted (80-125 ms each at 10,000 routes, against 10-50 ms later on), which an operator does
     * not do at every check of its routes.
     */
    static void settleHeap() {
        System.gc();
    }

    /** Collections so far, all collectors. */
    static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    /** Time spent in collections so far (the collectors' own figure: pauses, wall time), ms. */
    static long gcMillis() {
        long ms = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ms += Math.max(0, gc.getCollectionTime());
        }
        return ms;
    }

    /**
     * Context switches (voluntary and involuntary) so far of each live thread, by thread id, from
     * /proc/self/task/N/status (Linux); empty if unknown.
     */
    static Map<Long, Long> contextSwitches() {
        Map<Long, Long> switches = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    long sum = 0;
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:")
                                || line.startsWith("nonvoluntary_ctxt_switches:")) {
                            sum += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                    switches.put(Long.parseLong(task.getFileName().toString()), sum);
                } catch (IOException | RuntimeException threadEnded) {
                    // the thread ended while we looked
                }
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return switches;
    }

    /**
     * Context switches since {@code before} ({@link #contextSwitches()}) of the threads alive now:
     * threads started since count in full, threads that ended meanwhile are not counted.
     */
    static long contextSwitchesSince(Map<Long, Long> before) {
        long sum = 0;
        for (Map.Entry<Long, Long> e : contextSwitches().entrySet()) {
            sum += Math.max(0, e.getValue() - before.getOrDefault(e.getKey(), 0L));
        }
        return sum;
    }

    /**
     * CPU time so far of each live thread, by thread id, with the thread's name
     * (/proc/self/task/N/schedstat and comm, Linux); empty if unknown.
     */
    static Map<Long, ThreadCpu> threadCpu() {
        Map<Long, ThreadCpu> cpu = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    String schedstat = Files.readString(task.resolve("schedstat")).trim();
                    long nanos = Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
                    String name = Files.readString(task.resolve("comm")).trim();
                    cpu.put(
                            Long.parseLong(task.getFileName().toString()),
                            new ThreadCpu(name, nanos));
                } catch (IOException | RuntimeException threadEnded) {
                    // the thread ended while we looked
                }
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return cpu;
    }

    /** A thread's name (as the kernel keeps it: 15 characters) and CPU time so far. */
    record ThreadCpu(String name, long nanos) {}

    /**
     * CPU seconds since {@code before} ({@link #threadCpu()}) by group of threads: "gc" (the serial
     * and parallel collectors run in the VM thread and GC threads), "jit" (compiler threads),
     * "engine" (the DNS engine's workers, reader and watchdog), "main" and "other". Threads that
     * ended meanwhile are not counted.
     */
    static Map<String, Double> cpuByGroupSince(Map<Long, ThreadCpu> before) {
        Map<String, Double> groups = new java.util.TreeMap<>();
        for (String g : new String[] {"gc", "jit", "engine", "main", "other"}) {
            groups.put(g, 0.0);
        }
        for (Map.Entry<Long, ThreadCpu> e : threadCpu().entrySet()) {
            ThreadCpu was = before.get(e.getKey());
            long nanos = e.getValue().nanos() - (was == null ? 0 : was.nanos());
            String name = e.getValue().name();
            String group =
                    name.equals("VM Thread") || name.startsWith("GC Thread")
                            ? "gc"
                            : name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")
                                    ? "jit"
                                    : name.startsWith("mailroute-dns")
                                            ? "engine"
                                            : name.equals("java") || name.equals("main")
                                                    ? "main"
                                                    : "other";
            groups.merge(group, Math.max(0, nanos) / 1e9, Double::sum);
        }
        return groups;
    }

    /** {@link #cpuByGroupSince} as a JSON object of seconds, e.g. {@code {"engine":0.412,...}}. */
    static String cpuByGroupJson(Map<Long, ThreadCpu> before) {
        StringBuilder json = new StringBuilder("{");
        cpuByGroupSince(before)
                .forEach(
                        (group, seconds) ->
                                json.append(json.length() > 1 ? "," : "")
                                        .append(
                                                String.format(
                                                        java.util.Locale.ROOT,
                                                        "\"%s\":%.3f",
                                                        group,
                                                        seconds)));
        return json.append('}').toString();
    }
}
