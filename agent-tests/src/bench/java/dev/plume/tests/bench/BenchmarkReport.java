package dev.plume.tests.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Turns the side-by-side samples into Markdown tables: medians, ratios to no agent, and the goals they meet or miss. */
final class BenchmarkReport {

    private static final Map<String, String> LABELS = Map.of(
            "none", "no agent", "plume", "Plume", "otel", "OpenTelemetry agent");

    private final SideBySide.Settings settings;
    private final Map<String, Path> agents;
    private final Map<String, Map<String, List<Double>>> samples;
    private final String loadBefore;
    private final String loadAfter;
    private final double minutes;
    private final String buildInfo;
    private final StringBuilder text = new StringBuilder();

    BenchmarkReport(SideBySide.Settings settings, Map<String, Path> agents,
                    Map<String, Map<String, List<Double>>> samples, String loadBefore, String loadAfter,
                    double minutes, String buildInfo) {
        this.buildInfo = buildInfo;
        this.settings = settings;
        this.agents = agents;
        this.samples = samples;
        this.loadBefore = loadBefore;
        this.loadAfter = loadAfter;
        this.minutes = minutes;
    }

    String markdown() {
        line("## Side-by-side results (" + settings.name() + " run)");
        line("");
        line("- Date: " + DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(ZonedDateTime.now().withNano(0)));
        line("- Machine: " + Runtime.getRuntime().availableProcessors() + " cores, " + memTotal() + " memory, "
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + "; JDK "
                + System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version")
                + " (apps, load generator and receiver)");
        line("- Load average before / after (1, 5, 15 min): " + loadBefore + " / " + loadAfter
                + "; the run took " + fmt("%.1f", minutes) + " min");
        line("- Settings: " + settings);
        line("- Agents: " + agentList());
        line("- Build: " + buildInfo);
        line("");

        line("### Throughput and latency (median of " + settings.rounds() + " rounds)");
        line("");
        line("× no agent is the median over rounds of the ratio to no agent in the same round, which cancels most of"
                + " the drift of a shared machine's load between rounds.");
        line("");
        line("| endpoint | configuration | requests/s | × no agent | p50 (µs) | p99 (µs) | spans received / expected |");
        line("|---|---|---:|---:|---:|---:|---:|");
        for (String endpoint : List.of("hello", "chain")) {
            for (String config : agents.keySet()) {
                double rps = median(config, endpoint + "_rps");
                double expected = SideBySide.sum(values(config, endpoint + "_spans_expected"));
                double received = SideBySide.sum(values(config, endpoint + "_spans_received"));
                line("| /" + endpoint + " | " + LABELS.get(config) + " | " + fmt("%,.0f", rps) + " | "
                        + fmt("%.2f", pairedRatio(config, endpoint + "_rps")) + " | "
                        + fmt("%,.0f", median(config, endpoint + "_p50_us"))
                        + " | " + fmt("%,.0f", median(config, endpoint + "_p99_us")) + " | "
                        + (config.equals("none") ? "—" : fmt("%,.0f", received) + " / " + fmt("%,.0f", expected)
                        + " (" + fmt("%.1f", 100 * received / expected) + "%)") + " |");
            }
        }
        line("");
        line(receiverCheck());
        line("");

        line("### Allocation per request (median of " + settings.rounds() + " rounds)");
        line("");
        line("| endpoint | configuration | request threads (B/req) | added | whole process (B/req) | added |");
        line("|---|---|---:|---:|---:|---:|");
        for (String endpoint : List.of("hello", "chain")) {
            double app0 = median("none", endpoint + "_app_bytes_per_request");
            double total0 = median("none", endpoint + "_total_bytes_per_request");
            for (String config : agents.keySet()) {
                double app = median(config, endpoint + "_app_bytes_per_request");
                double total = median(config, endpoint + "_total_bytes_per_request");
                line("| /" + endpoint + " | " + LABELS.get(config) + " | " + fmt("%,.0f", app) + " | "
                        + signed(app - app0) + " | " + fmt("%,.0f", total) + " | " + signed(total - total0) + " |");
            }
        }
        line("");

        cpu();

        line("### Start-up and memory (medians)");
        line("");
        line("| configuration | hello-app wall time (ms) | added | http-app first answer (ms) | added"
                + " | RSS after load (MB) | added | agent jar (MB) |");
        line("|---|---:|---:|---:|---:|---:|---:|---:|");
        double hello0 = median("none", "hello_wall_ms");
        double http0 = median("none", "http_start_ms");
        double rss0 = median("none", "rss_mb");
        for (String config : agents.keySet()) {
            double hello = median(config, "hello_wall_ms");
            double http = median(config, "http_start_ms");
            double rss = median(config, "rss_mb");
            line("| " + LABELS.get(config) + " | " + fmt("%,.0f", hello) + " | " + signed(hello - hello0) + " | "
                    + fmt("%,.0f", http) + " | " + signed(http - http0) + " | " + fmt("%,.0f", rss) + " | "
                    + signed(rss - rss0) + " | " + fmt("%.1f", jarMegabytes(config)) + " |");
        }
        line("");
        line("Samples per configuration: hello-app " + count("none", "hello_wall_ms") + " runs, http-app "
                + count("none", "http_start_ms") + " starts (default heap), RSS " + count("none", "rss_mb")
                + " (after the /chain load, heap fixed and pre-touched).");
        line("");

        spring();

        if (samples.containsKey("plume") && values("plume", "pipeline_spans_per_s") != null) {
            List<Double> pipeline = values("plume", "pipeline_spans_per_s");
            line("### Pipeline ceiling (Plume, no application)");
            line("");
            line("| spans/s exported (median) | min – max | spans/s counted by the receiver | MB/s on the wire | runs |");
            line("|---:|---:|---:|---:|---:|");
            line("| " + fmt("%,.0f", SideBySide.median(pipeline)) + " | " + fmt("%,.0f", Collections.min(pipeline))
                    + " – " + fmt("%,.0f", Collections.max(pipeline)) + " | "
                    + fmt("%,.0f", median("plume", "pipeline_received_spans_per_s")) + " | "
                    + fmt("%.1f", median("plume", "pipeline_mb_per_s")) + " | " + pipeline.size() + " |");
            line("");
            if (values("plume", "pipeline_spans_per_exporter_core") != null) {
                line("CPU per exported span (µs, median of the runs), by part of the pipeline, and the spans the exporter"
                        + " moves per second of its own CPU (its thread, the send queue's and OkHttp's): steadier than"
                        + " spans/s on a shared machine.");
                line("");
                line("| producer (recording) | exporter thread (read, encode) | sending (send queue, OkHttp) | receiver"
                        + " (in the same JVM) | spans/s per exporter core |");
                line("|---:|---:|---:|---:|---:|");
                line("| " + fmt("%.3f", median("plume", "pipeline_cpu_us_per_span_producer")) + " | "
                        + fmt("%.3f", median("plume", "pipeline_cpu_us_per_span_exporter")) + " | "
                        + fmt("%.3f", median("plume", "pipeline_cpu_us_per_span_sending")) + " | "
                        + fmt("%.3f", median("plume", "pipeline_cpu_us_per_span_receiver")) + " | "
                        + fmt("%,.0f", median("plume", "pipeline_spans_per_exporter_core")) + " |");
                line("");
            }
        }

        goals();
        return text.toString();
    }

    /** What the receiver proved beyond its span count: requests parsed with opentelemetry-proto, and any it refused. */
    private String receiverCheck() {
        StringBuilder check = new StringBuilder("Spans received are counted by walking each request's protobuf; ");
        int every = settings.receiverDecodeEvery();
        check.append(every == 1 ? "every request" : every == 0 ? "no request"
                : "one request in " + every).append(" was also parsed with opentelemetry-proto and its count compared.");
        for (String config : agents.keySet()) {
            if (config.equals("none")) {
                continue;
            }
            double decoded = 0;
            double rejected = 0;
            for (String endpoint : List.of("hello", "chain", "spring_owners")) {
                List<Double> d = values(config, endpoint + "_receiver_decoded");
                List<Double> r = values(config, endpoint + "_receiver_rejected");
                decoded += d == null ? 0 : SideBySide.sum(d);
                rejected += r == null ? 0 : SideBySide.sum(r);
            }
            check.append(' ').append(LABELS.get(config)).append(": ").append(fmt("%,.0f", decoded))
                    .append(" parsed, ").append(fmt("%,.0f", rejected)).append(" refused as malformed.");
        }
        return check.toString();
    }

    /**
     * CPU per request by thread group ({@link ThreadCpu}) over each load run, and the receiver's: where an agent's
     * cost goes, steadier than requests/s on a shared machine.
     */
    private void cpu() {
        if (values("none", "hello_cpu_app_us") == null) {
            return; // no /proc here
        }
        line("### CPU per request, by thread (µs, median of " + settings.rounds() + " rounds)");
        line("");
        line("Over each whole load run (its 5 s warm-up too), in the app's process by thread, and in the receiver's."
                + " *Agent threads* are the agents' exporter and sender threads (OkHttp's too); *JIT* the compiler"
                + " threads; *GC, VM* the collector's and the VM's own. The receiver walks every request it is sent (and"
                + " parses some, as above), so its CPU grows with what an agent exports, on the same cores.");
        line("");
        line("| endpoint | configuration | application threads | agent threads | JIT | GC, VM | app process | added"
                + " | receiver | added |");
        line("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (String endpoint : List.of("hello", "chain", "spring_owners")) {
            if (values("none", endpoint + "_cpu_app_us") == null) {
                continue;
            }
            double process0 = processCpu("none", endpoint);
            double receiver0 = median("none", endpoint + "_cpu_receiver_us");
            for (String config : agents.keySet()) {
                double process = processCpu(config, endpoint);
                double receiver = median(config, endpoint + "_cpu_receiver_us");
                line("| " + (endpoint.equals("spring_owners") ? "Spring " + SideBySide.SPRING_ENDPOINT
                        : "/" + endpoint) + " | " + LABELS.get(config) + " | "
                        + fmt("%.1f", median(config, endpoint + "_cpu_app_us")) + " | "
                        + fmt("%.1f", median(config, endpoint + "_cpu_agent_us")) + " | "
                        + fmt("%.1f", median(config, endpoint + "_cpu_jit_us")) + " | "
                        + fmt("%.1f", median(config, endpoint + "_cpu_jvm_us")) + " | " + fmt("%.1f", process)
                        + " | " + signedOne(process - process0) + " | " + fmt("%.1f", receiver) + " | "
                        + signedOne(receiver - receiver0) + " |");
            }
        }
        line("");
    }

    /** The app process's CPU per request: the median over rounds of each round's sum of the groups. */
    private double processCpu(String config, String endpoint) {
        List<Double> sums = new java.util.ArrayList<>();
        List<Double> first = values(config, endpoint + "_cpu_app_us");
        for (int round = 0; first != null && round < first.size(); round++) {
            double sum = 0;
            for (String group : ThreadCpu.GROUPS) {
                List<Double> groupValues = values(config, endpoint + "_cpu_" + group + "_us");
                sum += groupValues != null && round < groupValues.size() ? groupValues.get(round) : 0;
            }
            sums.add(sum);
        }
        return SideBySide.median(sums);
    }

    private static String signedOne(double value) {
        return Double.isNaN(value) ? "—" : String.format(Locale.ROOT, "%+.1f", value);
    }

    /** The Spring Boot app's start-up and load figures; absent when the run was not given the app. */
    private void spring() {
        if (values("none", "spring_start_ms") == null && values("none", "spring_owners_rps") == null) {
            return;
        }
        line("### Spring Boot 3 on Tomcat (spring-boot3-tomcat-app, medians)");
        line("");
        line("Start-up is the time from launching the JVM to the first 200 answer of `GET /hello` ("
                + count("none", "spring_start_ms") + " starts per configuration, interleaved, default heap), and the"
                + " resident memory right after that answer. *Added (%)* is the added time as a share of the start-up"
                + " with no agent.");
        line("");
        line("| configuration | first answer (ms) | × no agent | added (ms) | added (%) | RSS at first answer (MB) | added |");
        line("|---|---:|---:|---:|---:|---:|---:|");
        double start0 = median("none", "spring_start_ms");
        double startRss0 = median("none", "spring_start_rss_mb");
        for (String config : agents.keySet()) {
            double start = median(config, "spring_start_ms");
            double rss = median(config, "spring_start_rss_mb");
            line("| " + LABELS.get(config) + " | " + fmt("%,.0f", start) + " | " + fmt("%.2f", start / start0)
                    + " | " + signed(start - start0) + " | " + signedPercent(start - start0, start0) + " | "
                    + fmt("%,.0f", rss) + " | " + signed(rss - startRss0) + " |");
        }
        line("");
        if (agents.containsKey("plume")) {
            double plumeAdded = median("plume", "spring_start_ms") - start0;
            String sentence = "Plume adds " + fmt("%,.0f", plumeAdded) + " ms = "
                    + fmt("%.0f", 100 * plumeAdded / start0) + " % of start-up";
            if (agents.containsKey("otel")) {
                double otelAdded = median("otel", "spring_start_ms") - start0;
                sentence += "; OpenTelemetry adds " + fmt("%,.0f", otelAdded) + " ms; Plume/OTel = "
                        + fmt("%.2f", plumeAdded / otelAdded);
            }
            line(sentence + ".");
            line("");
            // a shared machine's load drifts over the minutes the starts take: the same comparison paired by start
            // (each agent start against the no-agent start of the same round) cancels most of that drift
            double paired = pairedDifference("plume", "spring_start_ms");
            String pairedSentence = "Paired by start (each start against the no-agent start of the same round,"
                    + " median of the differences): Plume adds " + fmt("%,.0f", paired) + " ms = "
                    + fmt("%.1f", 100 * paired / start0) + " %";
            if (agents.containsKey("otel")) {
                double otelPaired = pairedDifference("otel", "spring_start_ms");
                pairedSentence += "; OpenTelemetry adds " + fmt("%,.0f", otelPaired) + " ms; Plume/OTel = "
                        + fmt("%.2f", paired / otelPaired);
            }
            line(pairedSentence + ".");
            line("");
        }

        line("Load: `GET " + SideBySide.SPRING_ENDPOINT + "` (a route with a path variable, one SERVER span a request), "
                + settings.helloConnections() + " connections, " + fmt("%.0f", settings.warmupSeconds())
                + " s warm-up + " + fmt("%.0f", settings.seconds()) + " s measured, " + settings.rounds()
                + " round(s), heap " + settings.heapMegabytes() + " MB fixed and pre-touched. × no agent is paired by"
                + " round, as above; errors are summed over rounds. No allocation per request: the app has no"
                + " `/debug/allocated`.");
        line("");
        line("| configuration | requests/s | × no agent | p50 (µs) | p99 (µs) | errors | spans received / expected"
                + " | RSS after load (MB) | added |");
        line("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        double loadRss0 = median("none", "spring_rss_mb");
        for (String config : agents.keySet()) {
            double expected = SideBySide.sum(values(config, "spring_owners_spans_expected"));
            double received = SideBySide.sum(values(config, "spring_owners_spans_received"));
            double rss = median(config, "spring_rss_mb");
            line("| " + LABELS.get(config) + " | " + fmt("%,.0f", median(config, "spring_owners_rps")) + " | "
                    + fmt("%.2f", pairedRatio(config, "spring_owners_rps")) + " | "
                    + fmt("%,.0f", median(config, "spring_owners_p50_us")) + " | "
                    + fmt("%,.0f", median(config, "spring_owners_p99_us")) + " | "
                    + fmt("%,.0f", SideBySide.sum(values(config, "spring_owners_errors"))) + " | "
                    + (config.equals("none") ? "—" : fmt("%,.0f", received) + " / " + fmt("%,.0f", expected)
                    + " (" + fmt("%.1f", 100 * received / expected) + "%)") + " | "
                    + fmt("%,.0f", rss) + " | " + signed(rss - loadRss0) + " |");
        }
        line("");
    }

    private void goals() {
        if (!agents.containsKey("plume")) {
            return;
        }
        line("### Goals (issue 14; the JMH ones are measured by `--jmh`)");
        line("");
        line("| goal | Plume | OpenTelemetry agent | Plume meets it |");
        line("|---|---:|---:|---|");
        boolean otel = agents.containsKey("otel");
        throughputGoal("chain", 0.95, otel);
        throughputGoal("hello", 0.97, otel);
        allocationGoal("hello", 100, otel);
        allocationGoal("chain", 1000, otel);
        double start0 = median("none", "hello_wall_ms");
        double plumeStart = median("plume", "hello_wall_ms") - start0;
        goal("start-up added on hello world ≤ 0.3 s", fmt("%.2f s", plumeStart / 1000),
                otel ? fmt("%.2f s", (median("otel", "hello_wall_ms") - start0) / 1000) : "—", plumeStart <= 300);
        double jar = jarMegabytes("plume");
        goal("agent jar ≤ 6 MB", fmt("%.1f MB", jar), otel ? fmt("%.1f MB", jarMegabytes("otel")) : "—", jar <= 6);
        List<Double> pipeline = values("plume", "pipeline_spans_per_s");
        if (pipeline != null) {
            double spans = SideBySide.median(pipeline);
            goal("pipeline ≥ 1M spans/s", fmt("%,.0f", spans), "—", spans >= 1_000_000);
        }
        line("");
    }

    /** Throughput against no agent, paired by round, with every span the load made received. */
    private void throughputGoal(String endpoint, double goal, boolean otel) {
        double ratio = pairedRatio("plume", endpoint + "_rps");
        boolean allExported = SideBySide.sum(values("plume", endpoint + "_spans_received"))
                >= SideBySide.sum(values("plume", endpoint + "_spans_expected"));
        goal("/" + endpoint + " throughput ≥ " + fmt("%.2f", goal) + "× no agent, every span exported",
                fmt("%.2f×", ratio) + (allExported ? "" : " (spans lost)"),
                otel ? fmt("%.2f×", pairedRatio("otel", endpoint + "_rps")) : "—", ratio >= goal && allExported);
    }

    /** Allocation added on the threads that serve requests, median against no agent's median. */
    private void allocationGoal(String endpoint, double goalBytes, boolean otel) {
        double base = median("none", endpoint + "_app_bytes_per_request");
        double plume = median("plume", endpoint + "_app_bytes_per_request") - base;
        goal("/" + endpoint + " allocation added on request threads < " + fmt("%,.0f", goalBytes) + " B",
                signed(plume) + " B",
                otel ? signed(median("otel", endpoint + "_app_bytes_per_request") - base) + " B" : "—",
                plume < goalBytes);
    }

    private void goal(String goal, String plume, String otel, boolean met) {
        line("| " + goal + " | " + plume + " | " + otel + " | " + (met ? "yes" : "**no**") + " |");
    }

    private String agentList() {
        StringBuilder list = new StringBuilder();
        for (Map.Entry<String, Path> agent : agents.entrySet()) {
            if (agent.getValue() != null) {
                list.append(list.isEmpty() ? "" : ", ").append(LABELS.get(agent.getKey())).append(" ")
                        .append(agent.getValue().getFileName()).append(" (")
                        .append(fmt("%,d", agent.getValue().toFile().length())).append(" bytes)");
            }
        }
        return list.toString();
    }

    private double jarMegabytes(String config) {
        Path jar = agents.get(config);
        return jar == null ? 0 : jar.toFile().length() / 1e6;
    }

    private List<Double> values(String config, String metric) {
        Map<String, List<Double>> byMetric = samples.get(config);
        return byMetric == null ? null : byMetric.get(metric);
    }

    private double median(String config, String metric) {
        return SideBySide.median(values(config, metric));
    }

    /** The median over rounds (or starts) of config − no agent, each difference taken within one round. */
    private double pairedDifference(String config, String metric) {
        List<Double> values = values(config, metric);
        List<Double> baseline = values("none", metric);
        if (values == null || baseline == null) {
            return Double.NaN;
        }
        List<Double> differences = new java.util.ArrayList<>();
        for (int i = 0; i < Math.min(values.size(), baseline.size()); i++) {
            differences.add(values.get(i) - baseline.get(i));
        }
        return SideBySide.median(differences);
    }

    /** The median over rounds of config ÷ no agent, each ratio taken within one round. */
    private double pairedRatio(String config, String metric) {
        List<Double> values = values(config, metric);
        List<Double> baseline = values("none", metric);
        if (values == null || baseline == null) {
            return Double.NaN;
        }
        List<Double> ratios = new java.util.ArrayList<>();
        for (int round = 0; round < Math.min(values.size(), baseline.size()); round++) {
            ratios.add(values.get(round) / baseline.get(round));
        }
        return SideBySide.median(ratios);
    }

    private int count(String config, String metric) {
        List<Double> list = values(config, metric);
        return list == null ? 0 : list.size();
    }

    private static String memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return fmt("%.1f GB", Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return "unknown";
    }

    private static String signed(double value) {
        return Double.isNaN(value) ? "—" : fmt("%+,.0f", value);
    }

    /** {@code added} as a signed percentage of {@code base}. */
    private static String signedPercent(double added, double base) {
        double percent = 100 * added / base;
        return Double.isNaN(percent) ? "—" : fmt("%+,.0f", percent) + " %";
    }

    private static String fmt(String format, Object value) {
        if (value instanceof Double d && d.isNaN()) {
            return "—";
        }
        return String.format(Locale.ROOT, format, value);
    }

    private void line(String line) {
        text.append(line).append('\n');
    }
}
