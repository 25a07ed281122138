package dev.plume.tests.bench;

import dev.plume.tests.otlp.OtlpFaultProxy;
import dev.plume.tests.otlp.OtlpFaultProxy.Mode;
import dev.plume.tests.otlp.OtlpHttpReceiver;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * How long a short program that records spans takes from start to exit, with no agent and with Plume against each
 * kind of backend (healthy, none at all, refusing then, answering 503, accepting and never answering, resetting,
 * garbage, a failing TLS handshake), with and without a spool. The program is http-app's {@code --demo}: five
 * requests to itself, a one-second pause, {@code System.exit}. Prints a Markdown table of the median of the runs and
 * the time added over no agent.
 *
 * <p>Arguments: {@code --agent plume-agent.jar --app http-app.jar [--runs 3]}.
 */
public final class ExitTimes {
    private record Case(String name, Mode mode, boolean tls, boolean spool) {
    }

    public static void main(String[] args) throws Exception {
        List<String> list = Arrays.asList(args);
        String agent = list.get(list.indexOf("--agent") + 1);
        String app = list.get(list.indexOf("--app") + 1);
        int runs = list.contains("--runs") ? Integer.parseInt(list.get(list.indexOf("--runs") + 1)) : 3;
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";

        List<Case> cases = List.of(
            new Case("healthy backend", Mode.FORWARD, false, false),
            new Case("no backend (connection refused)", Mode.REFUSE, false, false),
            new Case("no backend, spool set", Mode.REFUSE, false, true),
            new Case("503 on every request", Mode.UNAVAILABLE, false, false),
            new Case("429 with Retry-After: 1", Mode.TOO_MANY_REQUESTS_RETRY_AFTER, false, false),
            new Case("slow (3 s per answer)", Mode.SLOW, false, false),
            new Case("accepts, never answers", Mode.NEVER_ANSWER, false, false),
            new Case("accepts, never answers, spool set", Mode.NEVER_ANSWER, false, true),
            new Case("resets mid-response", Mode.RESET_MID_RESPONSE, false, false),
            new Case("answers garbage", Mode.GARBAGE, false, false),
            new Case("TLS handshake fails", Mode.GARBAGE, true, false));

        double baseline = median(runs, () -> time(List.of(java, "-jar", app, "--demo")));
        StringBuilder table = new StringBuilder("| backend | exit after start (median of " + runs + ") | added over no"
            + " agent |\n|---|---|---|\n");
        table.append(String.format(Locale.ROOT, "| (no agent) | %.2f s | |\n", baseline));
        try (OtlpHttpReceiver receiver = OtlpHttpReceiver.start()) {
            for (Case c : cases) {
                try (OtlpFaultProxy peer = OtlpFaultProxy.start(receiver.port(), c.mode())) {
                    File spool = c.spool() ? Files.createTempDirectory("plume-exit-spool").toFile() : null;
                    List<String> command = new ArrayList<>(List.of(java, "-javaagent:" + agent,
                        "-Dotel.exporter.otlp.endpoint=" + (c.tls() ? "https" : "http") + "://127.0.0.1:" + peer.port(),
                        "-Dotel.service.name=exit-times"));
                    if (spool != null) {
                        command.add("-Dplume.exporter.spool.dir=" + spool);
                    }
                    command.addAll(List.of("-jar", app, "--demo"));
                    double seconds = median(runs, () -> time(command));
                    table.append(String.format(Locale.ROOT, "| %s | %.2f s | %+.2f s |\n", c.name(), seconds,
                        seconds - baseline));
                }
            }
        }
        System.out.print(table);
    }

    private interface Measurement {
        double seconds() throws Exception;
    }

    private static double median(int runs, Measurement measurement) throws Exception {
        double[] values = new double[runs];
        for (int i = 0; i < runs; i++) {
            values[i] = measurement.seconds();
        }
        Arrays.sort(values);
        return values[runs / 2];
    }

    private static double time(List<String> command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().keySet().removeIf(name -> name.startsWith("OTEL_") || name.startsWith("PLUME_"));
        long start = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("did not exit within 120 s: " + command);
        }
        return (System.nanoTime() - start) / 1e9;
    }
}
