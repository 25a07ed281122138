package dev.plume.tests.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The side-by-side benchmark: the same applications with no agent, with Plume and with the OpenTelemetry Java agent,
 * configurations interleaved round by round, every span sampled and exported over OTLP/HTTP to a receiver in its own
 * JVM that decodes what it gets. Measures start-up (hello-app wall time, http-app time to first answer), throughput
 * and latency under a closed-loop load from a load generator in its own JVM, allocation per request on the
 * application's threads, resident memory after load, the agents' jar sizes, and the Plume pipeline's ceiling.
 * Given {@code --spring-app}, also the Spring Boot app's start-up (time to first answer, resident memory then) and its
 * throughput and latency on a route with a path variable. Prints a Markdown report with medians and ratios and writes
 * it next to the raw figures.
 *
 * <p>Arguments: {@code --plume-agent JAR --otel-agent JAR --http-app JAR --hello-app JAR --out DIR
 * [--spring-app JAR] [--quick] [--rounds N] [--configs none,plume,otel] [--build-info FILE]}. Run through
 * {@code agent-tests/run-benchmarks.sh}.
 *
 * <p>With {@code --profile cpu|alloc|lock --profiler-lib libasyncProfiler.so [--profile-path /chain]}, it profiles
 * instead: for each configuration, the http-app is warmed up as in a load round, async-profiler is attached for one
 * measured load of the path, and {@link ProfileSummary} reports where the agent's time and bytes go per request. Run
 * through {@code agent-tests/run-profile.sh}.
 */
public final class SideBySide {

    private static final String HOST = "127.0.0.1";
    private static final List<String> ENDPOINTS = List.of("/hello", "/chain");
    /** The Spring app's load route: a path variable, so the span is named after the route's template. */
    static final String SPRING_ENDPOINT = "/owners/7";

    private final Settings settings;
    private final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    private final String classPath = System.getProperty("java.class.path");
    private final Map<String, Path> agents = new LinkedHashMap<>();
    private final Path httpApp;
    private final Path helloApp;
    /** spring-boot3-tomcat-app, or null: its measurements are skipped. */
    private final Path springApp;
    private final Path out;
    private final Path logs;
    /** config → metric → one value per sample. */
    private final Map<String, Map<String, List<Double>>> samples = new LinkedHashMap<>();
    private final List<String> rawLines = new ArrayList<>();
    private String receiverEndpoint;
    /** The receiver of the current run, whose CPU per request is measured with the load. */
    private Process receiverProcess;
    private String buildInfo = "not given";
    /** System properties given to Plume's runs only ({@code --plume-properties name=value,...}), to A/B a setting. */
    private final List<String> plumeProperties = new ArrayList<>();

    private SideBySide(Settings settings, Map<String, Path> agents, Path httpApp, Path helloApp, Path springApp,
                       Path out) {
        this.settings = settings;
        this.agents.putAll(agents);
        this.httpApp = httpApp;
        this.helloApp = helloApp;
        this.springApp = springApp;
        this.out = out;
        this.logs = out.resolve("logs");
    }

    public static void main(String[] args) throws Exception {
        LoadGenerator.Arguments arguments = new LoadGenerator.Arguments(args);
        Settings settings = arguments.flag("--quick") ? Settings.QUICK : Settings.FULL;
        if (arguments.get("--rounds", null) != null) {
            settings = settings.withRounds(Integer.parseInt(arguments.get("--rounds", null)));
        }
        if (arguments.get("--warmup-seconds", null) != null || arguments.get("--seconds", null) != null) {
            settings = settings.withLoad(Double.parseDouble(arguments.get("--warmup-seconds",
                String.valueOf(settings.warmupSeconds))), Double.parseDouble(arguments.get("--seconds",
                String.valueOf(settings.seconds))));
        }
        if (arguments.get("--receiver-decode-every", null) != null) {
            settings = settings.withReceiverDecodeEvery(Integer.parseInt(arguments.get("--receiver-decode-every", null)));
        }
        if (arguments.get("--app-warmup-seconds", null) != null) {
            settings = settings.withAppWarmup(Double.parseDouble(arguments.get("--app-warmup-seconds", null)));
        }
        Map<String, Path> agents = new LinkedHashMap<>();
        agents.put("none", null);
        agents.put("plume", existing(arguments.require("--plume-agent")));
        agents.put("otel", existing(arguments.require("--otel-agent")));
        List<String> wanted = List.of(arguments.get("--configs", "none,plume,otel").split(","));
        agents.keySet().retainAll(wanted);
        if (!agents.containsKey("none")) {
            throw new IllegalArgumentException("--configs must include none: every figure is compared with it");
        }
        String springApp = arguments.get("--spring-app", null);
        SideBySide bench = new SideBySide(settings, agents, existing(arguments.require("--http-app")),
                existing(arguments.require("--hello-app")), springApp == null ? null : existing(springApp),
                Path.of(arguments.require("--out")));
        String buildInfo = arguments.get("--build-info", null);
        if (buildInfo != null && Files.isRegularFile(Path.of(buildInfo))) {
            bench.buildInfo = Files.readString(Path.of(buildInfo)).trim();
        }
        for (String property : arguments.get("--plume-properties", "").split(",")) {
            if (!property.isBlank()) {
                if (!property.contains("=")) {
                    throw new IllegalArgumentException("--plume-properties takes name=value pairs, not " + property);
                }
                bench.plumeProperties.add("-D" + property.trim());
            }
        }
        if (!bench.plumeProperties.isEmpty()) {
            bench.buildInfo += "; Plume run with " + String.join(" ", bench.plumeProperties);
        }
        String profile = arguments.get("--profile", null);
        String interleaved = arguments.get("--interleaved", null);
        String report = profile != null ? bench.profile(profile, arguments.get("--profile-path", "/chain"),
                        existing(arguments.require("--profiler-lib")))
                : interleaved != null ? bench.interleaved(Integer.parseInt(interleaved))
                : bench.run();
        System.out.println(report);
    }

    private static Path existing(String path) {
        Path file = Path.of(path).toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + " does not exist");
        }
        return file;
    }

    private String run() throws Exception {
        Files.createDirectories(logs);
        String loadBefore = loadAverage();
        long started = System.nanoTime();
        Process receiver = startReceiver();
        try {
            progress("receiver at " + receiverEndpoint + "; " + settings);
            warmReceiver();
            for (int round = 0; round < settings.rounds; round++) {
                for (String config : rotated(round)) {
                    loadRound(config, round);
                }
                if (springApp != null) {
                    for (String config : rotated(round)) {
                        springLoadRound(config, round);
                    }
                }
            }
            for (int run = 0; run < settings.helloRuns; run++) {
                for (String config : rotated(run)) {
                    helloStartup(config);
                }
            }
            for (int run = 0; run < settings.extraHttpStarts; run++) {
                for (String config : rotated(run)) {
                    httpStartupOnly(config, run);
                }
            }
            for (int run = 0; springApp != null && run < settings.springStarts; run++) {
                for (String config : rotated(run)) {
                    springStartup(config, run);
                }
            }
        } finally {
            stopReceiver(receiver);
        }
        if (agents.containsKey("plume")) {
            for (int run = 0; run < settings.pipelineRuns; run++) {
                pipelineCeiling();
            }
        }
        double minutes = (System.nanoTime() - started) / 60e9;
        String report = new BenchmarkReport(settings, agents, samples, loadBefore, loadAverage(), minutes, buildInfo)
                .markdown();
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(ZonedDateTime.now());
        Files.writeString(out.resolve("results-" + stamp + ".md"), report);
        Files.writeString(out.resolve("results-latest.md"), report);
        Files.write(out.resolve("raw-" + stamp + ".txt"), rawLines);
        progress("report written to " + out.resolve("results-" + stamp + ".md"));
        return report;
    }

    /**
     * Profiles each configuration under the load of {@code path} (see the class comment) and returns the summary. The
     * app is warmed up with both endpoints' load first, as in a load round, so the profile shows the steady state.
     */
    private String profile(String event, String path, Path profilerLibrary) throws Exception {
        if (!List.of("cpu", "alloc", "lock").contains(event)) {
            throw new IllegalArgumentException("--profile must be cpu, alloc or lock, not " + event);
        }
        Files.createDirectories(logs);
        Map<String, Path> profiles = new LinkedHashMap<>();
        Map<String, Double> requests = new LinkedHashMap<>();
        String loadBefore = loadAverage();
        Process receiver = startReceiver();
        try {
            progress("receiver at " + receiverEndpoint + "; profiling " + event + " on " + path);
            for (String config : agents.keySet()) {
                int port = freePort();
                Path log = logs.resolve("http-app-" + config + "-profile-" + event + ".log");
                long launched = System.nanoTime();
                Process app = startFixedHeap(config, httpApp, "bench-http-app", port, log);
                try {
                    awaitFirstAnswer(app, port, launched, log);
                    for (String endpoint : ENDPOINTS) {
                        runLoad(port, endpoint, settings.chainConnections, 0,
                                settings.warmupSeconds + settings.seconds, false);
                    }
                    awaitExportSettled();
                    Path file = out.resolve("profile-" + event + "-" + config + ".collapsed").toAbsolutePath();
                    String sampling = switch (event) {
                        case "cpu" -> "event=cpu,interval=1ms";
                        case "alloc" -> "event=alloc,alloc=512";
                        default -> "event=lock";
                    };
                    profiler(app, profilerLibrary, "start," + sampling + ",threads");
                    Map<String, String> result = runLoad(port, path, path.equals("/chain")
                            ? settings.chainConnections : settings.helloConnections, 0, settings.seconds, false);
                    profiler(app, profilerLibrary, "stop,collapsed" + (event.equals("cpu") ? "" : ",total")
                            + ",file=" + file);
                    profiles.put(config, file);
                    requests.put(config, number(result, "sent"));
                    progress(String.format(Locale.ROOT, "%-5s %s %8.0f req/s while profiled", config, path,
                            number(result, "rps")));
                } finally {
                    stop(app);
                }
            }
        } finally {
            stopReceiver(receiver);
        }
        String report = new ProfileSummary(event, path, profiles, requests, loadBefore, loadAverage(), buildInfo)
                .markdown();
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(ZonedDateTime.now());
        Files.writeString(out.resolve("profile-" + event + "-" + stamp + ".md"), report);
        progress("report written to " + out.resolve("profile-" + event + "-" + stamp + ".md"));
        return report;
    }

    /**
     * Throughput only, with the configurations' apps all running at once: each http-app is started and warmed up
     * first, then {@code cycles} cycles each load every configuration's app in turn (rotated order), endpoint by
     * endpoint, one load run at a time. A load run's ratio to no agent is taken against no agent's run of the same
     * cycle, a minute apart at most instead of the ten minutes of a round, so the machine's drift between
     * configurations, which made the rounds of one build range from 0.77× to 1.01×, mostly cancels. The apps that are
     * not loaded sit idle meanwhile (their exporters empty: each load run waits for the receiver to settle).
     */
    private String interleaved(int cycles) throws Exception {
        if (cycles < 1) {
            throw new IllegalArgumentException("--interleaved takes a number of cycles of at least 1, not " + cycles);
        }
        Files.createDirectories(logs);
        String loadBefore = loadAverage();
        long started = System.nanoTime();
        Map<String, Process> apps = new LinkedHashMap<>();
        Map<String, Integer> ports = new LinkedHashMap<>();
        Process receiver = startReceiver();
        try {
            progress("receiver at " + receiverEndpoint + "; interleaved, " + cycles + " cycles; " + settings);
            for (String config : agents.keySet()) {
                int port = freePort();
                Path log = logs.resolve("http-app-" + config + "-interleaved.log");
                long launched = System.nanoTime();
                Process app = startFixedHeap(config, httpApp, "bench-http-app", port, log);
                apps.put(config, app);
                ports.put(config, port);
                awaitFirstAnswer(app, port, launched, log);
                for (String endpoint : ENDPOINTS) {
                    warmUp(port, endpoint, connections(endpoint));
                }
                awaitExportSettled();
                progress(config + " started and warmed up");
            }
            for (int cycle = 0; cycle < cycles; cycle++) {
                for (String endpoint : ENDPOINTS) {
                    for (String config : rotated(cycle)) {
                        load(config, cycle, apps.get(config), ports.get(config), endpoint, endpoint.substring(1),
                                connections(endpoint), endpoint.equals("/chain") ? 3 : 1, false);
                    }
                }
            }
        } finally {
            for (Process app : apps.values()) {
                stop(app);
            }
            stopReceiver(receiver);
        }
        double minutes = (System.nanoTime() - started) / 60e9;
        String report = interleavedReport(cycles, loadBefore, loadAverage(), minutes);
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(ZonedDateTime.now());
        Files.writeString(out.resolve("interleaved-" + stamp + ".md"), report);
        Files.write(out.resolve("raw-interleaved-" + stamp + ".txt"), rawLines);
        progress("report written to " + out.resolve("interleaved-" + stamp + ".md"));
        return report;
    }

    private String interleavedReport(int cycles, String loadBefore, String loadAfter, double minutes) {
        StringBuilder report = new StringBuilder("## Interleaved throughput (all apps running, " + cycles
                + " cycles)\n\n");
        report.append("- Date: ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append('\n');
        report.append("- Load average before / after (1, 5, 15 min): ").append(loadBefore).append(" / ")
                .append(loadAfter).append(String.format(Locale.ROOT, "; the run took %.1f min%n", minutes));
        report.append("- Settings: each app warmed up by ").append(fmt(settings.appWarmupSeconds))
                .append(" s of load per endpoint, then per cycle and endpoint one load run per configuration of ")
                .append(fmt(settings.warmupSeconds)).append(" s warm-up + ").append(fmt(settings.seconds))
                .append(" s measured (").append(settings.helloConnections).append(" connections on /hello, ")
                .append(settings.chainConnections).append(" on /chain, heap ").append(settings.heapMegabytes)
                .append(" MB fixed)\n");
        report.append("- Build: ").append(buildInfo).append("\n\n");
        report.append("× no agent: each run's requests/s over no agent's in the same cycle; the median of those"
                + " ratios, and their range. CPU is per request over the whole load run, in the app's process and in"
                + " the receiver's.\n\n");
        report.append("| endpoint | configuration | requests/s (median) | × no agent | ratios, min – max | p50 (µs) |"
                + " p99 (µs) | app process CPU (µs/req) | receiver CPU (µs/req) | spans received / expected |\n");
        report.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String endpoint : ENDPOINTS) {
            String key = endpoint.substring(1);
            for (String config : agents.keySet()) {
                Map<String, List<Double>> metrics = samples.get(config);
                List<Double> rps = metrics.get(key + "_rps");
                List<Double> ratios = ratiosToNone(key, config);
                List<Double> cpu = new ArrayList<>();
                for (int i = 0; i < rps.size(); i++) {
                    double total = 0;
                    for (String group : ThreadCpu.GROUPS) {
                        total += metrics.get(key + "_cpu_" + group + "_us").get(i);
                    }
                    cpu.add(total);
                }
                report.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %.3f | %.3f – %.3f | %,.0f | %,.0f | %.1f"
                                + " | %.1f | %s |%n", endpoint, config, median(rps), median(ratios),
                        Collections.min(ratios), Collections.max(ratios), median(metrics.get(key + "_p50_us")),
                        median(metrics.get(key + "_p99_us")), median(cpu),
                        median(metrics.get(key + "_cpu_receiver_us")), config.equals("none") ? "—"
                                : String.format(Locale.ROOT, "%,.0f / %,.0f", sum(metrics.get(key + "_spans_received")),
                                        sum(metrics.get(key + "_spans_expected")))));
            }
        }
        report.append("\nRatios to no agent by cycle:\n\n");
        for (String endpoint : ENDPOINTS) {
            for (String config : agents.keySet()) {
                if (config.equals("none")) {
                    continue;
                }
                report.append("- ").append(endpoint).append(' ').append(config).append(':');
                for (double ratio : ratiosToNone(endpoint.substring(1), config)) {
                    report.append(String.format(Locale.ROOT, " %.3f", ratio));
                }
                report.append('\n');
            }
        }
        return report.toString();
    }

    /** Each cycle's requests/s of {@code config} on endpoint {@code key} over no agent's in the same cycle. */
    private List<Double> ratiosToNone(String key, String config) {
        List<Double> none = samples.get("none").get(key + "_rps");
        List<Double> rps = samples.get(config).get(key + "_rps");
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < Math.min(rps.size(), none.size()); i++) {
            ratios.add(rps.get(i) / none.get(i));
        }
        return ratios;
    }

    private static String fmt(double seconds) {
        return seconds == Math.rint(seconds) ? String.valueOf((long) seconds) : String.valueOf(seconds);
    }

    /** Loads async-profiler into the running app (or sends it a command) with {@code jcmd JVMTI.agent_load}. */
    private void profiler(Process app, Path library, String command) throws Exception {
        Path jcmd = java.resolveSibling("jcmd");
        // jcmd splits its arguments at '=': the agent's options go in as one quoted string
        Process process = new ProcessBuilder(jcmd.toString(), String.valueOf(app.pid()), "JVMTI.agent_load",
                library.toString(), "\"" + command + "\"").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0 || output.contains("error")) {
            throw new IllegalStateException("async-profiler '" + command + "' failed: " + output);
        }
    }

    /** The configurations in a different order each round, so none of them always runs first or last. */
    private List<String> rotated(int round) {
        List<String> order = new ArrayList<>(agents.keySet());
        Collections.rotate(order, -(round % order.size()));
        return order;
    }

    // ---- one application run under load

    private void loadRound(String config, int round) throws Exception {
        int port = freePort();
        Path log = logs.resolve("http-app-" + config + "-round" + round + ".log");
        long launched = System.nanoTime();
        Process app = startFixedHeap(config, httpApp, "bench-http-app", port, log);
        try {
            awaitFirstAnswer(app, port, launched, log);
            for (String endpoint : ENDPOINTS) {
                warmUp(port, endpoint, connections(endpoint));
            }
            awaitExportSettled();
            for (String endpoint : ENDPOINTS) {
                load(config, round, app, port, endpoint, endpoint.substring(1), connections(endpoint),
                        endpoint.equals("/chain") ? 3 : 1, true);
            }
            record(config, "rss_mb", rssKiB(app.pid()) / 1024.0);
            progress(String.format(Locale.ROOT, "round %d %-5s RSS %.0f MB", round + 1, config,
                    rssKiB(app.pid()) / 1024.0));
        } finally {
            stop(app);
        }
    }

    /**
     * Starts an app on {@code port} with a fixed, pre-touched heap: resident memory then differs by what the agent adds
     * (classes, code, threads, buffers), not by how far the collector chose to grow the heap at each configuration's
     * allocation rate.
     */
    private Process startFixedHeap(String config, Path appJar, String serviceName, int port, Path log)
            throws IOException {
        return start(appCommand(config, appJar, serviceName, "-Dapp.port=" + port, "-Xms" + settings.heapMegabytes + "m",
                "-Xmx" + settings.heapMegabytes + "m", "-XX:+AlwaysPreTouch"), log);
    }

    /** The load generator's connections on one of http-app's {@link #ENDPOINTS}. */
    private int connections(String endpoint) {
        return endpoint.equals("/chain") ? settings.chainConnections : settings.helloConnections;
    }

    /**
     * Unmeasured load on a freshly started app, so that the measured runs see its steady state: with an agent the JIT
     * compiles for longer (the instrumented methods, the exporter, OkHttp), and after the 5 s warm-up of a load run
     * alone the compiler threads were still taking ~20 µs per /chain request more under Plume than with no agent.
     */
    private void warmUp(int port, String endpoint, int connections) throws Exception {
        if (settings.appWarmupSeconds > 0) {
            runLoad(port, endpoint, connections, 0, settings.appWarmupSeconds, false);
        }
    }

    /**
     * Load on every endpoint under each agent once, unmeasured, before the first round: the receiver is a JVM too, and
     * without this it compiles its decoding during the first agent's measured load (in one run the first round's
     * Plume figures came out at 0.6× while the next two rounds gave 0.9–1.05×).
     */
    private void warmReceiver() throws Exception {
        for (String config : agents.keySet()) {
            if (agents.get(config) == null) {
                continue;
            }
            int port = freePort();
            Path log = logs.resolve("http-app-" + config + "-receiver-warm-up.log");
            long launched = System.nanoTime();
            Process app = start(appCommand(config, httpApp, "bench-http-app", "-Dapp.port=" + port), log);
            try {
                awaitFirstAnswer(app, port, launched, log);
                for (String endpoint : ENDPOINTS) {
                    runLoad(port, endpoint, settings.helloConnections, 0, settings.warmupSeconds, false);
                }
                awaitExportSettled();
            } finally {
                stop(app);
            }
        }
        progress("receiver warmed up");
    }

    /** spring-boot3-tomcat-app under the same load settings as http-app, on its route with a path variable. */
    private void springLoadRound(String config, int round) throws Exception {
        int port = freePort();
        Path log = logs.resolve("spring-app-" + config + "-round" + round + ".log");
        long launched = System.nanoTime();
        Process app = startFixedHeap(config, springApp, "bench-spring-app", port, log);
        try {
            awaitFirstAnswer(app, port, launched, log);
            warmUp(port, SPRING_ENDPOINT, settings.helloConnections);
            awaitExportSettled();
            // The app has no /debug/allocated, so no allocation is measured (nor made up as 0) for it.
            load(config, round, app, port, SPRING_ENDPOINT, "spring_owners", settings.helloConnections, 1, false);
            double rss = rssKiB(app.pid()) / 1024.0;
            record(config, "spring_rss_mb", rss);
            progress(String.format(Locale.ROOT, "round %d %-5s spring-app RSS %.0f MB", round + 1, config, rss));
        } finally {
            stop(app);
        }
    }

    /**
     * One load generator run on an app that already answers, recorded as {@code key_rps}, {@code key_p50_us} and so
     * on. With {@code allocation}, the app serves {@code /debug/allocated} and bytes per request are recorded too.
     */
    private void load(String config, int round, Process app, int port, String endpoint, String key,
                      int connections, int spansPerRequest, boolean allocation) throws Exception {
        long[] receiverBefore = receiverStats();
        long spansBefore = receiverBefore[1];
        ThreadCpu appCpuBefore = ThreadCpu.of(app.pid());
        ThreadCpu receiverCpuBefore = ThreadCpu.of(receiverProcess.pid());
        Map<String, String> result = runLoad(port, endpoint, connections, settings.warmupSeconds, settings.seconds,
                allocation);
        Map<String, Long> appCpu = ThreadCpu.of(app.pid()).since(appCpuBefore);
        Map<String, Long> receiverCpu = ThreadCpu.of(receiverProcess.pid()).since(receiverCpuBefore);
        awaitExportSettled();
        long[] receiverAfter = receiverStats();
        long spansReceived = receiverAfter[1] - spansBefore;
        record(config, key + "_receiver_rejected", receiverAfter[3] - receiverBefore[3]);
        record(config, key + "_receiver_decoded", receiverAfter[4] - receiverBefore[4]);
        double requests = number(result, "requests");
        long sent = (long) number(result, "sent");
        // CPU per request over the whole load run (its warm-up too: "sent" counts every request of it)
        for (String group : ThreadCpu.GROUPS) {
            record(config, key + "_cpu_" + group + "_us", appCpu.getOrDefault(group, 0L) / 1e3 / Math.max(1, sent));
        }
        long receiverNanos = receiverCpu.values().stream().mapToLong(Long::longValue).sum();
        record(config, key + "_cpu_receiver_us", receiverNanos / 1e3 / Math.max(1, sent));
        // with allocation, two extra server spans: the load generator's reads of /debug/allocated
        long expected = config.equals("none") ? 0 : sent * spansPerRequest + (allocation ? 2 : 0);
        record(config, key + "_rps", number(result, "rps"));
        record(config, key + "_p50_us", number(result, "p50_us"));
        record(config, key + "_p99_us", number(result, "p99_us"));
        record(config, key + "_errors", number(result, "errors"));
        String bytes = "";
        if (allocation) {
            double appBytes = number(result, "app_allocated") / requests;
            record(config, key + "_app_bytes_per_request", appBytes);
            record(config, key + "_total_bytes_per_request", number(result, "total_allocated") / requests);
            bytes = String.format(Locale.ROOT, "  app %6.0f B/req", appBytes);
        }
        record(config, key + "_spans_expected", expected);
        record(config, key + "_spans_received", spansReceived);
        progress(String.format(Locale.ROOT, "round %d %-5s %-6s %8.0f req/s  p50 %7.0f µs  p99 %7.0f µs"
                        + "%s  spans %d/%d  errors %.0f", round + 1, config, endpoint,
                number(result, "rps"), number(result, "p50_us"), number(result, "p99_us"),
                bytes, spansReceived, expected, number(result, "errors")));
    }

    /** One {@link LoadGenerator} run in its own JVM on {@code path}; its RESULT pairs. */
    private Map<String, String> runLoad(int port, String path, int connections, double warmupSeconds, double seconds,
                                        boolean allocation) throws Exception {
        List<String> arguments = new ArrayList<>(List.of("--port", String.valueOf(port), "--path", path,
                "--connections", String.valueOf(connections), "--warmup-seconds", String.valueOf(warmupSeconds),
                "--seconds", String.valueOf(seconds)));
        if (!allocation) {
            arguments.add("--no-allocation");
        }
        return runJava(List.of("-Xmx256m", "-XX:+UseSerialGC"), LoadGenerator.class, arguments.toArray(String[]::new));
    }

    private void httpStartupOnly(String config, int run) throws Exception {
        int port = freePort();
        Path log = logs.resolve("http-app-start-" + config + "-" + run + ".log");
        long launched = System.nanoTime();
        Process app = start(appCommand(config, httpApp, "bench-http-app", "-Dapp.port=" + port), log);
        try {
            double millis = awaitFirstAnswer(app, port, launched, log);
            record(config, "http_start_ms", millis);
            progress(String.format(Locale.ROOT, "http-app %-5s first answer after %6.0f ms", config, millis));
        } finally {
            stop(app);
        }
    }

    /** The Spring app's time to its first answer, and its resident memory right then (default heap, as http-app). */
    private void springStartup(String config, int run) throws Exception {
        int port = freePort();
        Path log = logs.resolve("spring-app-start-" + config + "-" + run + ".log");
        long launched = System.nanoTime();
        Process app = start(appCommand(config, springApp, "bench-spring-app", "-Dapp.port=" + port), log);
        try {
            double millis = awaitFirstAnswer(app, port, launched, log);
            double rss = rssKiB(app.pid()) / 1024.0;
            record(config, "spring_start_ms", millis);
            record(config, "spring_start_rss_mb", rss);
            progress(String.format(Locale.ROOT, "spring-app %-5s first answer after %6.0f ms, RSS %.0f MB",
                    config, millis, rss));
        } finally {
            stop(app);
        }
    }

    private void helloStartup(String config) throws Exception {
        Path log = logs.resolve("hello-app-" + config + ".log");
        long launched = System.nanoTime();
        Process app = start(appCommand(config, helloApp, "bench-hello-app"), log);
        if (!app.waitFor(120, TimeUnit.SECONDS)) {
            app.destroyForcibly();
            throw new IllegalStateException("hello-app did not exit within 120 s under " + config + "; see " + log);
        }
        double millis = (System.nanoTime() - launched) / 1e6;
        if (app.exitValue() != 0) {
            throw new IllegalStateException("hello-app exited with " + app.exitValue() + " under " + config
                    + "; see " + log);
        }
        record(config, "hello_wall_ms", millis);
        progress(String.format(Locale.ROOT, "hello-app %-5s %6.0f ms", config, millis));
    }

    private void pipelineCeiling() throws Exception {
        Map<String, String> result = runJava(List.of("--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"),
                PipelineCeiling.class, "--warmup-seconds", String.valueOf(settings.pipelineWarmupSeconds),
                "--seconds", String.valueOf(settings.pipelineSeconds));
        record("plume", "pipeline_spans_per_s", number(result, "spans_per_s"));
        record("plume", "pipeline_received_spans_per_s", number(result, "received_spans_per_s"));
        record("plume", "pipeline_mb_per_s", number(result, "mb_per_s"));
        for (String part : List.of("producer", "exporter", "sending", "receiver")) {
            if (result.containsKey("cpu_us_per_span_" + part)) {
                record("plume", "pipeline_cpu_us_per_span_" + part, number(result, "cpu_us_per_span_" + part));
            }
        }
        if (result.containsKey("spans_per_exporter_core")) {
            record("plume", "pipeline_spans_per_exporter_core", number(result, "spans_per_exporter_core"));
        }
        progress(String.format(Locale.ROOT, "pipeline %,.0f spans/s exported, %,.0f received, %.1f MB/s",
                number(result, "spans_per_s"), number(result, "received_spans_per_s"), number(result, "mb_per_s")));
    }

    // ---- processes

    private List<String> appCommand(String config, Path appJar, String serviceName, String... extra) {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        Path agent = agents.get(config);
        if (agent != null) {
            command.add("-javaagent:" + agent);
        }
        // The same settings for every configuration: traces only, every span sampled, sent within a second.
        command.add("-Dotel.service.name=" + serviceName);
        command.add("-Dotel.traces.exporter=otlp");
        command.add("-Dotel.metrics.exporter=none");
        command.add("-Dotel.logs.exporter=none");
        command.add("-Dotel.exporter.otlp.protocol=http/protobuf");
        command.add("-Dotel.exporter.otlp.endpoint=" + receiverEndpoint);
        command.add("-Dotel.traces.sampler=parentbased_always_on");
        command.add("-Dotel.bsp.schedule.delay=1000");
        if (config.equals("plume")) {
            command.addAll(plumeProperties);
        }
        // The JDK server writes headers and body separately: without TCP_NODELAY, Nagle's algorithm and the client's
        // delayed ACK hold every response for about 40 ms, and the benchmark would measure that timer, not the app.
        command.add("-Dsun.net.httpserver.nodelay=true");
        command.addAll(List.of(extra));
        command.add("-jar");
        command.add(appJar.toString());
        return command;
    }

    private static Process start(List<String> command, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(name -> name.startsWith("OTEL_") || name.startsWith("PLUME_")
                || name.equals("JAVA_TOOL_OPTIONS") || name.equals("JDK_JAVA_OPTIONS") || name.equals("_JAVA_OPTIONS"));
        Files.writeString(log, "$ " + String.join(" ", command) + "\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return builder.start();
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Runs a class of this benchmark in its own JVM and returns the key=value pairs of its {@code RESULT} line. */
    private Map<String, String> runJava(List<String> jvmOptions, Class<?> main, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath);
        command.add(main.getName());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> output = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                output.add(line);
            }
        }
        process.waitFor();
        String result = output.stream().filter(line -> line.startsWith("RESULT ")).reduce((a, b) -> b).orElse(null);
        if (process.exitValue() != 0 || result == null) {
            throw new IllegalStateException(main.getSimpleName() + " failed (exit " + process.exitValue() + "):\n"
                    + String.join("\n", output));
        }
        rawLines.add(main.getSimpleName() + " " + String.join(" ", args) + " -> " + result);
        Map<String, String> values = new TreeMap<>();
        for (String pair : result.substring("RESULT ".length()).split(" ")) {
            int equals = pair.indexOf('=');
            values.put(pair.substring(0, equals), pair.substring(equals + 1));
        }
        return values;
    }

    private Process startReceiver() throws IOException {
        List<String> command = List.of(java.toString(), "-Xmx512m", "-cp", classPath,
                CountingOtlpReceiver.class.getName(), "--decode-every", String.valueOf(settings.receiverDecodeEvery()));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(
                logs.resolve("receiver.log").toFile())).start();
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        String line = reader.readLine();
        if (line == null || !line.startsWith("LISTENING ")) {
            process.destroyForcibly();
            throw new IllegalStateException("receiver did not start: " + line);
        }
        receiverEndpoint = "http://" + HOST + ":" + line.substring("LISTENING ".length()).trim();
        receiverProcess = process;
        return process;
    }

    private static void stopReceiver(Process receiver) throws InterruptedException {
        try (OutputStream stdin = receiver.getOutputStream()) {
            stdin.flush();
        } catch (IOException e) {
            // already gone
        }
        if (!receiver.waitFor(10, TimeUnit.SECONDS)) {
            receiver.destroyForcibly();
        }
    }

    /** {@code requests spans bytes rejected decoded} from the receiver. */
    private long[] receiverStats() throws IOException {
        int port = Integer.parseInt(receiverEndpoint.substring(receiverEndpoint.lastIndexOf(':') + 1));
        try (HttpConnection connection = new HttpConnection(HOST, port, 10_000)) {
            StringBuilder body = new StringBuilder();
            connection.exchange(HttpConnection.getRequest(HOST, port, "/stats"), body);
            String[] parts = body.toString().trim().split(" ");
            long[] values = new long[parts.length];
            for (int i = 0; i < parts.length; i++) {
                values[i] = Long.parseLong(parts[i]);
            }
            return values;
        }
    }

    /** Waits until the receiver's span count has not moved for a while (longer than the agents' export delay). */
    private void awaitExportSettled() throws Exception {
        long quietNanos = TimeUnit.MILLISECONDS.toNanos(settings.settleMillis);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long last = receiverStats()[1];
        long lastChange = System.nanoTime();
        while (System.nanoTime() - lastChange < quietNanos && System.nanoTime() < deadline) {
            Thread.sleep(100);
            long now = receiverStats()[1];
            if (now != last) {
                last = now;
                lastChange = System.nanoTime();
            }
        }
    }

    /** Polls {@code GET /hello} until it answers 200; returns the milliseconds since the JVM was launched. */
    private static double awaitFirstAnswer(Process app, int port, long launchedNanos, Path log) throws Exception {
        byte[] request = HttpConnection.getRequest(HOST, port, "/hello");
        long deadline = launchedNanos + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!app.isAlive()) {
                throw new IllegalStateException("the app exited with " + app.exitValue() + "; see " + log);
            }
            try (HttpConnection connection = new HttpConnection(HOST, port, 30_000)) {
                if (connection.exchange(request) == 200) {
                    return (System.nanoTime() - launchedNanos) / 1e6;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(2);
        }
        throw new IllegalStateException("the app gave no successful answer within 120 s; see " + log);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }

    private static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private void record(String config, String metric, double value) {
        samples.computeIfAbsent(config, c -> new LinkedHashMap<>()).computeIfAbsent(metric, m -> new ArrayList<>())
                .add(value);
        rawLines.add(config + " " + metric + " " + value);
    }

    private static double number(Map<String, String> result, String key) {
        String value = result.get(key);
        if (value == null) {
            throw new IllegalStateException("no " + key + " in " + result);
        }
        return Double.parseDouble(value);
    }

    private static void progress(String line) {
        System.err.println("[bench] " + line);
    }

    /** How long and how often to measure. */
    record Settings(String name, int rounds, double appWarmupSeconds, double warmupSeconds, double seconds,
                    int helloConnections, int chainConnections, int helloRuns, int extraHttpStarts, int springStarts,
                    int pipelineRuns, double pipelineWarmupSeconds, double pipelineSeconds, long settleMillis,
                    int heapMegabytes, int receiverDecodeEvery) {

        static final Settings FULL = new Settings("full", 3, 15, 5, 10, 4, 2, 10, 5, 11, 3, 6, 8, 2500, 256, 16);
        static final Settings QUICK = new Settings("quick", 1, 0, 1, 2, 4, 2, 2, 1, 1, 1, 1, 2, 1500, 256, 16);

        /** The same settings with another warm-up and measured time per load run. */
        Settings withLoad(double warmup, double measured) {
            return new Settings(name, rounds, appWarmupSeconds, warmup, measured, helloConnections, chainConnections,
                    helloRuns, extraHttpStarts, springStarts, pipelineRuns, pipelineWarmupSeconds, pipelineSeconds,
                    settleMillis, heapMegabytes, receiverDecodeEvery);
        }

        /** The same settings with another unmeasured warm-up of each app start (a slower machine compiles longer). */
        Settings withAppWarmup(double seconds) {
            return new Settings(name, rounds, seconds, warmupSeconds, this.seconds, helloConnections, chainConnections,
                    helloRuns, extraHttpStarts, springStarts, pipelineRuns, pipelineWarmupSeconds, pipelineSeconds,
                    settleMillis, heapMegabytes, receiverDecodeEvery);
        }

        Settings withRounds(int count) {
            return new Settings(name, count, appWarmupSeconds, warmupSeconds, seconds, helloConnections,
                    chainConnections, helloRuns, extraHttpStarts, springStarts, pipelineRuns, pipelineWarmupSeconds,
                    pipelineSeconds, settleMillis, heapMegabytes, receiverDecodeEvery);
        }

        /** The same settings with the receiver parsing one request in {@code every} (1: all) besides counting all. */
        Settings withReceiverDecodeEvery(int every) {
            return new Settings(name, rounds, appWarmupSeconds, warmupSeconds, seconds, helloConnections,
                    chainConnections, helloRuns, extraHttpStarts, springStarts, pipelineRuns, pipelineWarmupSeconds,
                    pipelineSeconds, settleMillis, heapMegabytes, every);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: %d rounds, each app started warmed up by %.0f s of load per"
                            + " endpoint, then load %.0f s warm-up + %.0f s measured per endpoint"
                            + " (%d connections on /hello and the Spring app's %s, %d on /chain, heap %d MB fixed),"
                            + " hello-app x%d, http-app start x%d, Spring app start x%d (when given), pipeline x%d"
                            + " (%.0f s), the receiver parsing %s",
                    name, rounds, appWarmupSeconds, warmupSeconds, seconds, helloConnections, SPRING_ENDPOINT,
                    chainConnections, heapMegabytes, helloRuns, extraHttpStarts, springStarts, pipelineRuns, pipelineSeconds,
                    receiverDecodeEvery == 1 ? "every request" : receiverDecodeEvery == 0 ? "no request"
                            : "one request in " + receiverDecodeEvery + " (counting all)");
        }
    }

    static double median(List<Double> values) {
        if (values == null || values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static double sum(List<Double> values) {
        return values == null ? Double.NaN : values.stream().mapToDouble(Double::doubleValue).sum();
    }
}
