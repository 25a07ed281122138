package dev.plume.tests.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * CPU time of another process's threads, from Linux's {@code /proc/<pid>/task/<tid>/schedstat} (nanoseconds on the
 * CPU), or {@code stat}'s user and system ticks where schedstat is missing, grouped by what each thread is:
 * {@code app} (the application's own threads), {@code agent} (an agent's exporter and sender threads), {@code jit}
 * (the compiler threads), {@code jvm} (GC and the VM's own threads). A load run's CPU per request by group says where
 * an agent's cost goes, far more steadily than requests/s on a shared machine. Threads that end between two snapshots
 * are not counted; an empty map where there is no {@code /proc}.
 */
final class ThreadCpu {
    static final List<String> GROUPS = List.of("app", "agent", "jit", "jvm");
    private static final long NANOS_PER_TICK = 10_000_000L; // USER_HZ is 100 on Linux

    private record Thread(String name, long nanos) {
    }

    private final Map<Long, Thread> threads;

    private ThreadCpu(Map<Long, Thread> threads) {
        this.threads = threads;
    }

    /** Every thread of {@code pid} now, with its CPU time so far. */
    static ThreadCpu of(long pid) {
        Map<Long, Thread> threads = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    String name = Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).trim();
                    threads.put(Long.parseLong(task.getFileName().toString()), new Thread(name, nanos(task)));
                } catch (IOException | RuntimeException e) {
                    // the thread ended while being read
                }
            }
        } catch (IOException e) {
            // the process is gone, or this is not Linux
        }
        return new ThreadCpu(threads);
    }

    /** CPU nanoseconds by group spent since {@code before} by the threads alive now (a renamed one by its new name). */
    Map<String, Long> since(ThreadCpu before) {
        return since(before, ThreadCpu::group);
    }

    /** As {@link #since(ThreadCpu)}, with the threads grouped by {@code grouping} of their names. */
    Map<String, Long> since(ThreadCpu before, Function<String, String> grouping) {
        Map<String, Long> byGroup = new HashMap<>();
        threads.forEach((tid, now) -> {
            Thread then = before.threads.get(tid);
            long spent = now.nanos - (then == null ? 0 : then.nanos);
            byGroup.merge(grouping.apply(now.name), Math.max(0, spent), Long::sum);
        });
        return byGroup;
    }

    /** The group of a thread by its name ({@code comm}, at most 15 characters). */
    static String group(String name) {
        if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
            return "jit";
        }
        if (name.startsWith("GC Thread") || name.startsWith("G1 ") || name.startsWith("VM ")
                || name.equals("Sweeper thread") || name.startsWith("Common-Cleaner")) {
            return "jvm";
        }
        // Plume's threads; both agents' OkHttp and Okio threads; the OpenTelemetry agent's processors and exporters
        if (name.startsWith("plume-") || name.startsWith("OkHttp") || name.startsWith("Okio")
                || name.startsWith("BatchSpanProces") || name.startsWith("BatchLogRecordP")
                || name.startsWith("otel") || name.startsWith("PeriodicMetricR")) {
            return "agent";
        }
        return "app";
    }

    private static long nanos(Path task) throws IOException {
        Path schedstat = task.resolve("schedstat");
        if (Files.isReadable(schedstat)) {
            String first = Files.readString(schedstat, StandardCharsets.US_ASCII).trim().split(" ")[0];
            return Long.parseLong(first);
        }
        String stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK; // utime, stime
    }
}
