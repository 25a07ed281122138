package dev.plume.tests.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Summarizes async-profiler's collapsed stacks (one file per configuration, taken under the same load) per request:
 * what each group of threads costs, what the agent's own frames cost on the application's threads and on its
 * exporter threads, and which frames grew most against the run with no agent. The unit is CPU microseconds (a
 * sample per millisecond of CPU), allocated bytes, or nanoseconds waited on locks.
 *
 * <p>The agent's advice is inlined into the application's methods, so its code shows under the application's frames;
 * the "grew most" table is what shows that part (and what the JDK does with the headers the agent adds).
 */
final class ProfileSummary {
    /** Frames of the agent that only pass the application's work through (a task wrapper): not the agent's cost. */
    private static final Set<String> PASS_THROUGH = Set.of("dev/plume/bootstrap/context/TaskContexts.run");
    private static final Pattern THREAD_NUMBER = Pattern.compile("[-#]?\\d+$");
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-f]+|\\$\\$Lambda\\$\\d+|Lambda\\$\\d+");

    private final String event;
    private final String path;
    private final Map<String, Profile> profiles = new LinkedHashMap<>();
    private final String loadBefore;
    private final String loadAfter;
    private final String buildInfo;

    ProfileSummary(String event, String path, Map<String, Path> files, Map<String, Double> requests,
                   String loadBefore, String loadAfter, String buildInfo) {
        this.event = event;
        this.path = path;
        this.loadBefore = loadBefore;
        this.loadAfter = loadAfter;
        this.buildInfo = buildInfo;
        files.forEach((config, file) -> profiles.put(config, Profile.read(file, event.equals("cpu") ? 1000 : 1,
                requests.get(config))));
    }

    String markdown() {
        String unit = switch (event) {
            case "cpu" -> "CPU µs";
            case "alloc" -> "bytes allocated";
            default -> "ns waited on locks";
        };
        StringBuilder out = new StringBuilder();
        out.append("# Plume profile: ").append(event).append(" on ").append(path).append("\n\n");
        out.append("- Unit: ").append(unit).append(" per request (async-profiler 4.2, ")
            .append(event.equals("cpu") ? "one sample per ms of CPU" : event.equals("alloc")
                ? "an allocation sample every 512 B on average, weighted by size" : "contended locks, weighted by time")
            .append("), over the measured load only, after a warm-up of both endpoints\n");
        out.append("- Load average before / after: ").append(loadBefore).append(" / ").append(loadAfter).append('\n');
        out.append("- Build: ").append(buildInfo).append("\n\n");

        out.append("## By thread\n\n| threads |");
        profiles.keySet().forEach(config -> out.append(' ').append(config).append(" |"));
        out.append("\n|---|");
        profiles.keySet().forEach(config -> out.append("---:|"));
        out.append('\n');
        Set<String> threads = new java.util.TreeSet<>();
        profiles.values().forEach(profile -> threads.addAll(profile.byThread.keySet()));
        List<String> ordered = new ArrayList<>(threads);
        Profile first = profiles.values().iterator().next();
        ordered.sort((a, b) -> Double.compare(maxOf(b), maxOf(a)));
        row(out, "**all but the JIT compiler threads**", profile -> profile.total);
        for (String thread : ordered) {
            if (maxOf(thread) >= 0.005 * first.total) {
                row(out, thread, profile -> profile.byThread.getOrDefault(thread, 0.0));
            }
        }
        out.append('\n');

        for (Map.Entry<String, Profile> entry : profiles.entrySet()) {
            Profile profile = entry.getValue();
            if (profile.agentOnAppThreads.isEmpty() && profile.agentThreads == 0) {
                continue;
            }
            out.append("## ").append(entry.getKey()).append(": the agent's own frames\n\n");
            out.append(String.format(Locale.ROOT, "- On the application's threads (outermost agent frame, inclusive):"
                + " %.1f per request = %.1f %% of all; on the agent's threads: %.1f = %.1f %%%n%n",
                sum(profile.agentOnAppThreads), percent(sum(profile.agentOnAppThreads), profile.total),
                profile.agentThreads, percent(profile.agentThreads, profile.total)));
            out.append("| frame (application threads) | per request | % of all |\n|---|---:|---:|\n");
            top(profile.agentOnAppThreads, 12).forEach(e -> out.append(String.format(Locale.ROOT,
                "| `%s` | %.1f | %.2f |%n", e.getKey(), e.getValue(), percent(e.getValue(), profile.total))));
            out.append("\n| frame (agent threads, inclusive) | per request | % of all |\n|---|---:|---:|\n");
            top(profile.agentThreadFrames, 12).forEach(e -> out.append(String.format(Locale.ROOT,
                "| `%s` | %.1f | %.2f |%n", e.getKey(), e.getValue(), percent(e.getValue(), profile.total))));
            out.append('\n');
        }

        Profile none = profiles.get("none");
        if (none != null) {
            for (Map.Entry<String, Profile> entry : profiles.entrySet()) {
                if (entry.getKey().equals("none")) {
                    continue;
                }
                Profile profile = entry.getValue();
                out.append("## ").append(entry.getKey()).append(" against no agent: frames that grew most\n\n");
                out.append(String.format(Locale.ROOT, "All threads: %.1f against %.1f per request (%+.1f).%n%n",
                    profile.total, none.total, profile.total - none.total));
                out.append("| frame (inclusive, any thread) | ").append(entry.getKey())
                    .append(" | none | added |\n|---|---:|---:|---:|\n");
                Map<String, Double> grown = new HashMap<>();
                profile.inclusive.forEach((frame, value) -> {
                    if (!PASS_THROUGH.contains(frame)) { // a wrapper: inclusive of the application's own work
                        grown.put(frame, value - none.inclusive.getOrDefault(frame, 0.0));
                    }
                });
                top(grown, 25).forEach(e -> out.append(String.format(Locale.ROOT, "| `%s` | %.1f | %.1f | %+.1f |%n",
                    e.getKey(), profile.inclusive.get(e.getKey()), none.inclusive.getOrDefault(e.getKey(), 0.0),
                    e.getValue())));
                out.append('\n');
            }
        }
        return out.toString();
    }

    private double maxOf(String thread) {
        return profiles.values().stream().mapToDouble(p -> p.byThread.getOrDefault(thread, 0.0)).max().orElse(0);
    }

    private void row(StringBuilder out, String label, java.util.function.ToDoubleFunction<Profile> value) {
        out.append("| ").append(label).append(" |");
        profiles.values().forEach(profile -> out.append(String.format(Locale.ROOT, " %.1f |",
            value.applyAsDouble(profile))));
        out.append('\n');
    }

    private static List<Map.Entry<String, Double>> top(Map<String, Double> values, int count) {
        return values.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue())).limit(count)
            .toList();
    }

    private static double sum(Map<String, Double> values) {
        return values.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    private static double percent(double part, double whole) {
        return whole == 0 ? 0 : 100 * part / whole;
    }

    private static boolean isAgentFrame(String frame) {
        return (frame.startsWith("dev/plume/") || frame.startsWith("dev.plume.")) && !frame.contains("/smoke/")
            && !frame.startsWith("dev/plume/tests/") && !PASS_THROUGH.contains(frame);
    }

    /** One configuration's profile, in units per request. */
    private static final class Profile {
        double total;
        final Map<String, Double> byThread = new HashMap<>();
        /** Frame (method) to its inclusive value on every thread, each frame counted once per stack. */
        final Map<String, Double> inclusive = new HashMap<>();
        /** On application threads: the outermost agent frame of each stack that has one, inclusive. */
        final Map<String, Double> agentOnAppThreads = new HashMap<>();
        double agentThreads;
        final Map<String, Double> agentThreadFrames = new HashMap<>();

        static Profile read(Path file, double unitsPerSample, double requests) {
            Profile profile = new Profile();
            try (Stream<String> lines = Files.lines(file)) {
                lines.forEach(line -> profile.add(line, unitsPerSample / requests));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return profile;
        }

        private void add(String line, double scale) {
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                return;
            }
            double value = Long.parseLong(line.substring(space + 1)) * scale;
            String[] frames = line.substring(0, space).split(";");
            String thread = frames[0].startsWith("[") ? threadGroup(frames[0]) : "(unnamed)";
            byThread.merge(thread, value, Double::sum);
            if (thread.startsWith("C1 Compiler") || thread.startsWith("C2 Compiler")) {
                // Attaching the profiler makes the JVM recompile for a while, however warm the app was: the JIT's
                // threads are shown by thread but left out of every other figure.
                return;
            }
            total += value;
            boolean agentThread = thread.startsWith("plume-") || thread.startsWith("Okio") || thread.startsWith("OkHttp");
            if (agentThread) {
                agentThreads += value;
            }
            Set<String> seen = new HashSet<>();
            boolean outermostFound = false;
            for (int i = 1; i < frames.length; i++) {
                String frame = ADDRESS.matcher(frames[i]).replaceAll("");
                if (!seen.add(frame)) {
                    continue;
                }
                inclusive.merge(frame, value, Double::sum);
                if (agentThread) {
                    agentThreadFrames.merge(frame, value, Double::sum);
                } else if (!outermostFound && isAgentFrame(frame)) {
                    outermostFound = true;
                    agentOnAppThreads.merge(frame, value, Double::sum);
                }
            }
        }

        /** {@code [http-app-worker-3 tid=123]} → {@code http-app-worker}. */
        private static String threadGroup(String frame) {
            String name = frame.substring(1, frame.length() - 1);
            int tid = name.lastIndexOf(" tid=");
            if (tid >= 0) {
                name = name.substring(0, tid);
            }
            return THREAD_NUMBER.matcher(name).replaceAll("");
        }
    }
}
