package dev.plume.tests.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A closed-loop HTTP load generator, run in its own JVM: {@code connections} threads each send GETs on a persistent
 * connection, one after the other, for a warm-up and then a measured window. Prints one line
 * {@code RESULT key=value ...}: requests and errors in the window, requests/s, latency p50/p99 (µs), all requests
 * sent, and the bytes the application's threads allocated during the window (read from the app's
 * {@code /debug/allocated} just before and after it). An app without that path is run with {@code --no-allocation}:
 * it is not read, and the line has no allocation figures (nor has it when a read does not answer 200).
 *
 * <p>Arguments: {@code --port P --path /hello [--host 127.0.0.1] [--connections 4] [--warmup-seconds 5]
 * [--seconds 10] [--no-allocation]}.
 */
public final class LoadGenerator {

    private static final int PHASE_WARMUP = 0;
    private static final int PHASE_MEASURE = 1;
    private static final int PHASE_STOP = 2;

    private volatile int phase = PHASE_WARMUP;

    public static void main(String[] args) throws Exception {
        Arguments arguments = new Arguments(args);
        String host = arguments.get("--host", "127.0.0.1");
        int port = Integer.parseInt(arguments.require("--port"));
        String path = arguments.require("--path");
        int connections = Integer.parseInt(arguments.get("--connections", "4"));
        double warmupSeconds = Double.parseDouble(arguments.get("--warmup-seconds", "5"));
        double seconds = Double.parseDouble(arguments.get("--seconds", "10"));
        boolean allocation = !arguments.flag("--no-allocation");
        System.out.println(new LoadGenerator().run(host, port, path, connections, warmupSeconds, seconds,
                allocation));
    }

    String run(String host, int port, String path, int connections, double warmupSeconds, double seconds,
               boolean allocation) throws Exception {
        byte[] request = HttpConnection.getRequest(host, port, path);
        Worker[] workers = new Worker[connections];
        for (int i = 0; i < connections; i++) {
            workers[i] = new Worker(host, port, request);
            workers[i].thread.start();
        }
        sleepSeconds(warmupSeconds);
        long[] allocatedBefore = allocation ? allocated(host, port) : null;
        long windowStart = System.nanoTime();
        phase = PHASE_MEASURE;
        sleepSeconds(seconds);
        phase = PHASE_STOP;
        long windowNanos = System.nanoTime() - windowStart;
        for (Worker worker : workers) {
            worker.thread.join();
        }
        long[] allocatedAfter = allocatedBefore != null ? allocated(host, port) : null;

        long measured = 0;
        long errors = 0;
        long sent = 0;
        int latencyCount = 0;
        for (Worker worker : workers) {
            measured += worker.measured;
            errors += worker.errors;
            sent += worker.sent;
            latencyCount += worker.latencyCount;
        }
        long[] latencies = new long[latencyCount];
        int at = 0;
        for (Worker worker : workers) {
            System.arraycopy(worker.latencies, 0, latencies, at, worker.latencyCount);
            at += worker.latencyCount;
        }
        Arrays.sort(latencies);
        double windowSeconds = windowNanos / 1e9;
        String result = String.format(Locale.ROOT,
                "RESULT requests=%d errors=%d seconds=%.3f rps=%.1f p50_us=%.1f p99_us=%.1f sent=%d",
                measured, errors, windowSeconds, measured / windowSeconds,
                percentile(latencies, 0.50) / 1e3, percentile(latencies, 0.99) / 1e3, sent);
        // Left out rather than written as 0 when not measured: a reader of the line must not take it for a figure.
        if (allocatedBefore != null && allocatedAfter != null) {
            result += String.format(Locale.ROOT, " app_allocated=%d total_allocated=%d",
                    allocatedAfter[0] - allocatedBefore[0], allocatedAfter[1] - allocatedBefore[1]);
        }
        return result;
    }

    private static double percentile(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(quantile * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /**
     * The app's {@code /debug/allocated}: bytes allocated by its request threads, and by all its threads; null when
     * it does not answer 200.
     */
    private static long[] allocated(String host, int port) throws IOException {
        try (HttpConnection connection = new HttpConnection(host, port, 10_000)) {
            StringBuilder body = new StringBuilder();
            int status = connection.exchange(HttpConnection.getRequest(host, port, "/debug/allocated"), body);
            if (status != 200) {
                return null;
            }
            long[] values = new long[2];
            for (String line : body.toString().split("\n")) {
                String[] parts = line.trim().split(" ");
                if (parts.length == 2 && parts[0].equals("application")) {
                    values[0] = Long.parseLong(parts[1]);
                } else if (parts.length == 2 && parts[0].equals("total")) {
                    values[1] = Long.parseLong(parts[1]);
                }
            }
            return values;
        }
    }

    private static void sleepSeconds(double seconds) throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep((long) (seconds * 1e9));
    }

    private final class Worker implements Runnable {
        final Thread thread;
        private final HttpConnection connection;
        private final byte[] request;
        long[] latencies = new long[1 << 16];
        int latencyCount;
        long measured;
        long errors;
        long sent;

        Worker(String host, int port, byte[] request) {
            this.connection = new HttpConnection(host, port, 10_000);
            this.request = request;
            this.thread = new Thread(this, "load-" + host + ":" + port);
        }

        @Override
        public void run() {
            int current;
            while ((current = phase) != PHASE_STOP) {
                long start = System.nanoTime();
                boolean ok;
                try {
                    ok = connection.exchange(request) == 200;
                } catch (IOException | RuntimeException e) {
                    connection.close();
                    ok = false;
                }
                long latency = System.nanoTime() - start;
                sent++;
                if (current == PHASE_MEASURE) {
                    if (ok) {
                        measured++;
                        if (latencyCount == latencies.length) {
                            latencies = Arrays.copyOf(latencies, latencies.length * 2);
                        }
                        latencies[latencyCount++] = latency;
                    } else {
                        errors++;
                    }
                }
            }
            connection.close();
        }
    }

    /** {@code --name value} pairs. */
    static final class Arguments {
        private final List<String> values;

        Arguments(String[] args) {
            this.values = new ArrayList<>(List.of(args));
        }

        boolean flag(String name) {
            return values.contains(name);
        }

        String get(String name, String defaultValue) {
            int index = values.indexOf(name);
            return index >= 0 && index + 1 < values.size() ? values.get(index + 1) : defaultValue;
        }

        String require(String name) {
            String value = get(name, null);
            if (value == null) {
                throw new IllegalArgumentException("missing " + name);
            }
            return value;
        }
    }
}
