package dev.plume.tests.smoke;

import dev.plume.tests.otlp.OtlpFaultProxy;
import dev.plume.tests.otlp.OtlpFaultProxy.Mode;
import dev.plume.tests.otlp.OtlpHttpReceiver;
import dev.plume.tests.otlp.ReceivedSpan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault suite: one traced application exports through an OTLP peer that goes through every fault in turn (refuses,
 * answers 503 and 429 with and without {@code Retry-After}, is slow, accepts and never answers, resets mid-response,
 * answers garbage) and recovers after each. The application keeps serving; every span is accounted for; what was kept
 * is delivered; stderr stays quiet; exit is bounded when the peer is silent; and no planted secret reaches any output.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ExportFaultSmokeTest {
    static final String URL_SECRET = "PLANTED-URL-SECRET";
    static final String HEADER_SECRET = "PLANTED-HEADER-SECRET";
    private static final Duration DELIVERY = Duration.ofSeconds(60);
    private static final Pattern STOPPED = Pattern.compile(
        "exporter stopped: (\\d+) spans read, (\\d+) exported, (\\d+) buffered, (\\d+) sampled out, (\\d+) spooled,"
            + " (\\d+) dropped.*");

    @Test
    void everyFaultInTurnLosesNothingAndTheApplicationKeepsServing(@TempDir Path spool) throws Exception {
        try (OtlpHttpReceiver receiver = OtlpHttpReceiver.start();
             OtlpFaultProxy peer = OtlpFaultProxy.start(receiver.port(), Mode.REFUSE);
             TracedHttpApp app = TracedHttpApp.start(InstalledJdks.all().get(0), faultSettings(peer, spool))) {
            app.process().explainFailures(() -> {
                int requests = 0;
                for (Mode fault : List.of(Mode.REFUSE, Mode.UNAVAILABLE, Mode.UNAVAILABLE_RETRY_AFTER,
                    Mode.TOO_MANY_REQUESTS, Mode.TOO_MANY_REQUESTS_RETRY_AFTER, Mode.SLOW, Mode.NEVER_ANSWER,
                    Mode.RESET_MID_RESPONSE, Mode.GARBAGE, Mode.REFUSE)) {
                    peer.mode(fault);
                    int faultyBefore = peer.faultyRequests();
                    requests += serve(app, 6);
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (fault != Mode.REFUSE && peer.faultyRequests() == faultyBefore && System.nanoTime() < until) {
                        Thread.sleep(50);
                    }
                    assertTrue(fault == Mode.REFUSE || peer.faultyRequests() > faultyBefore,
                        "the exporter met the fault " + fault);
                    Thread.sleep(1500);
                    peer.mode(Mode.FORWARD);
                    int expected = requests;
                    receiver.awaitSpans("all " + expected + " spans after " + fault + " recovered",
                        spans -> distinctSpanIds(spans) >= expected, DELIVERY);
                }
                // a flapping peer: up and down every second while requests keep coming
                for (int flap = 0; flap < 6; flap++) {
                    peer.mode(flap % 2 == 0 ? Mode.REFUSE : Mode.FORWARD);
                    requests += serve(app, 3);
                    Thread.sleep(1000);
                }
                peer.mode(Mode.FORWARD);
                int expected = requests;
                receiver.awaitSpans("all " + expected + " spans after the flapping", spans ->
                    distinctSpanIds(spans) >= expected, DELIVERY);
                assertEquals(expected, distinctSpanIds(receiver.spans()), "each span once");

                // at exit the peer accepts and never answers: exit waits the unanswered bound, not the export budget
                peer.mode(Mode.NEVER_ANSWER);
                requests += serve(app, 5);
                Thread.sleep(300);
                long exitStart = System.nanoTime();
                app.process().terminate(Duration.ofSeconds(60));
                long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - exitStart);
                assertTrue(exitMillis < 15_000, "exit took " + exitMillis + " ms with a silent backend (budget 30 s)");

                long[] books = finalCounts(app.process());
                assertEquals(requests, books[0], "every request's span was read");
                assertEquals(0, books[2], "nothing left buffered");
                assertEquals(0, books[5], "nothing dropped");
                assertEquals(books[0], books[1] + books[4], "read = exported + spooled");
                assertAgentOutputIsQuietAndClean(app.process());

                // what the silent peer kept at exit reaches the backend with the next run on the same spool
                peer.mode(Mode.FORWARD);
                try (TracedHttpApp next = TracedHttpApp.start(InstalledJdks.all().get(0), faultSettings(peer, spool))) {
                    int all = requests;
                    next.process().explainFailures(() -> receiver.awaitSpans("the " + all + " spans, the last ones"
                        + " sent by the next run", spans -> distinctSpanIds(spans) >= all, DELIVERY));
                }
                assertEquals(requests, distinctSpanIds(receiver.spans()), "each span once");
            });
        }
    }

    @Test
    void aTlsHandshakeThatFailsKeepsTheSpansAndExitStaysBounded() throws Exception {
        try (OtlpHttpReceiver receiver = OtlpHttpReceiver.start();
             OtlpFaultProxy peer = OtlpFaultProxy.start(receiver.port(), Mode.GARBAGE)) {
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("otel.exporter.otlp.endpoint", "https://plume-user:" + URL_SECRET + "@127.0.0.1:" + peer.port());
            settings.put("otel.exporter.otlp.headers", "Authorization=Bearer " + HEADER_SECRET);
            settings.put("otel.javaagent.debug", "true");
            try (TracedHttpApp app = TracedHttpApp.start(InstalledJdks.all().get(0), settings)) {
                app.process().explainFailures(() -> {
                    int requests = serve(app, 4);
                    Thread.sleep(1500);
                    long exitStart = System.nanoTime();
                    app.process().terminate(Duration.ofSeconds(60));
                    long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - exitStart);
                    assertTrue(exitMillis < 15_000, "exit took " + exitMillis + " ms");
                    assertTrue(app.process().agentLogLines().stream().anyMatch(l -> l.contains("TLS failure")),
                        "the TLS failure is explained");
                    long[] books = finalCounts(app.process());
                    assertEquals(requests, books[0]);
                    assertEquals(requests, books[5], "no spool: counted as dropped at exit, not lost silently");
                    assertAgentOutputIsQuietAndClean(app.process());
                });
            }
        }
    }

    @Test
    void malformedEndpointsAndHeadersAreReportedWithoutTheirSecrets() throws Exception {
        List<Map<String, String>> configurations = List.of(
            Map.of("otel.exporter.otlp.endpoint", "plume-user:" + URL_SECRET + "@127.0.0.1:4318"),
            Map.of("otel.exporter.otlp.endpoint", "ftp://plume-user:" + URL_SECRET + "@127.0.0.1/x"),
            Map.of("otel.exporter.otlp.traces.endpoint", "http://plume-user:" + URL_SECRET.replace('-', ' ')
                + "@127.0.0.1 host:4318/v1/traces"),
            Map.of("otel.exporter.otlp.endpoint", "http://127.0.0.1:4318/?token=" + URL_SECRET,
                "otel.exporter.otlp.headers", "Authorization=Bearer " + HEADER_SECRET + ",broken-" + HEADER_SECRET,
                "otel.exporter.otlp.compression", "zip"));
        for (Map<String, String> configuration : configurations) {
            Map<String, String> settings = new LinkedHashMap<>(configuration);
            settings.put("otel.javaagent.debug", "true");
            try (TracedHttpApp app = TracedHttpApp.start(InstalledJdks.all().get(0), settings)) {
                app.process().explainFailures(() -> {
                    serve(app, 1);
                    app.process().terminate(Duration.ofSeconds(60));
                    assertTrue(app.process().agentLogLines().stream().anyMatch(l -> l.contains("invalid")),
                        "the bad value is reported: " + configuration);
                    for (String line : app.process().stderrLines()) {
                        assertFalse(line.contains("PLANTED") || line.contains("PLANTED".replace('-', ' ')), line);
                    }
                    for (String line : app.process().stdoutLines()) {
                        assertFalse(line.contains("PLANTED"), line);
                    }
                });
            }
        }
    }

    private static Map<String, String> faultSettings(OtlpFaultProxy peer, Path spool) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("otel.exporter.otlp.endpoint", "http://plume-user:" + URL_SECRET + "@127.0.0.1:" + peer.port());
        settings.put("otel.exporter.otlp.headers", "Authorization=Bearer " + HEADER_SECRET);
        settings.put("otel.exporter.otlp.timeout", "1s");
        settings.put("otel.bsp.max.export.batch.size", "4");
        settings.put("plume.exporter.queue.batches", "3");
        settings.put("plume.exporter.retry.initial.backoff", "100ms");
        settings.put("plume.exporter.retry.max.backoff", "500ms");
        settings.put("plume.exporter.retry.max.attempts", "3");
        settings.put("plume.exporter.spool.dir", spool.toString());
        settings.put("otel.javaagent.debug", "true"); // the exit line with the final counts
        return settings;
    }

    /** Sends {@code count} requests; every one must be answered as without the agent. */
    private static int serve(TracedHttpApp app, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            HttpResponse<String> response = app.get("/hello");
            assertEquals(200, response.statusCode());
            assertEquals("hello", response.body());
        }
        return count;
    }

    private static long distinctSpanIds(List<ReceivedSpan> spans) {
        return spans.stream().map(ReceivedSpan::spanId).distinct().count();
    }

    /** read, exported, buffered, sampled out, spooled, dropped: from the agent's last line. */
    private static long[] finalCounts(AgentProcess process) {
        for (String line : process.agentLogLines()) {
            Matcher matcher = STOPPED.matcher(line.substring(line.indexOf(' ', 6) + 1));
            if (matcher.matches()) {
                long[] counts = new long[6];
                for (int i = 0; i < 6; i++) {
                    counts[i] = Long.parseLong(matcher.group(i + 1));
                }
                return counts;
            }
        }
        throw new AssertionError("no 'exporter stopped' line from the agent");
    }

    /** At most one line per cause (the test is shorter than the one-minute limit), and no secret anywhere. */
    static void assertAgentOutputIsQuietAndClean(AgentProcess process) {
        List<String> lines = new ArrayList<>();
        for (String line : process.agentLogLines()) {
            if (!line.startsWith("plume DEBUG")) {
                lines.add(line);
            }
        }
        List<String> causes = lines.stream().map(l -> l.replaceAll("\\d+", "N")).toList();
        assertEquals(causes.stream().distinct().count(), causes.size(), "a cause repeated: " + lines);
        assertTrue(lines.size() <= 12, "stderr stays quiet: " + lines);
        for (String line : process.stderrLines()) {
            assertFalse(line.contains(URL_SECRET) || line.contains(HEADER_SECRET), "a secret in: " + line);
        }
        for (String line : process.stdoutLines()) {
            assertFalse(line.contains(URL_SECRET) || line.contains(HEADER_SECRET), "a secret in: " + line);
        }
    }
}
