package dev.plume.export;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.config.PlumeConfig;
import dev.plume.bootstrap.record.SpanRing;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.StatusCode;
import dev.plume.bootstrap.trace.Tracer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The exporter thread end to end: real tracer, real ring, real HTTP receiver. */
@Timeout(60) // a guard against hangs, not a speed assertion
class PlumeExporterTest {
    private OtlpTestServer server;
    private TracingRing tracing;
    private PlumeExporter exporter;

    @BeforeEach
    void setUp() throws IOException {
        server = new OtlpTestServer();
        tracing = TracingRing.install();
    }

    @AfterEach
    void tearDown() {
        if (exporter != null) {
            exporter.shutdown();
        }
        tracing.close();
        server.close();
    }

    @Test
    void runsOnADaemonThreadNamedPlumeExporterAndStopsOnShutdown() {
        exporter = PlumeExporter.start(config(Map.of()), tracing.ring(), "1.0");
        Thread thread = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().equals("plume-exporter")).findFirst().orElseThrow();
        assertTrue(thread.isDaemon());
        exporter.shutdown();
        assertFalse(exporter.isRunning());
    }

    @Test
    void fullBatchesAreSentAtOnceAndTheRestAtShutdown() throws Exception {
        record("sized", 12); // before the exporter starts, so the reads are predictable
        exporter = PlumeExporter.start(config(Map.of(
            "otel.bsp.max.export.batch.size", "5",
            "otel.bsp.schedule.delay", "10m")), tracing.ring(), "1.0");
        server.awaitRequests(2, 30, TimeUnit.SECONDS);
        assertEquals(2, server.received().size(), "two full batches, the third waits for its delay");
        exporter.shutdown();

        List<Integer> sizes = new ArrayList<>();
        for (OtlpTestServer.Received received : server.received()) {
            sizes.add(received.spanCount());
        }
        assertEquals(List.of(5, 5, 2), sizes);
        assertEquals(12, exporter.metrics().spansExported());
        assertEquals(3, exporter.metrics().batchesExported());
    }

    @Test
    void aStartedBatchIsSentWhenTheScheduleDelayPasses() throws Exception {
        exporter = PlumeExporter.start(config(Map.of("otel.bsp.schedule.delay", "100ms")), tracing.ring(), "1.0");
        record("delayed", 3);
        server.awaitRequests(1, 30, TimeUnit.SECONDS);
        assertEquals(1, server.received().size(), "sent by the delay, before any shutdown");
        assertEquals(3, server.received().get(0).spanCount());
        exporter.shutdown(); // the counters are updated once the response is in; shutdown waits for that
        assertEquals(1, server.received().size());
        assertEquals(3, exporter.metrics().spansExported());
    }

    @Test
    void everySpanIsAccountedForEvenWhenTheRingOverflows() {
        // fill the ring before anyone reads it: the overflow is dropped on the application thread and counted
        int recorded = 0;
        String bulk = "x".repeat(2000);
        while (tracing.ring().droppedRingFull() < 10) {
            SpanSlot span = Tracer.startSpan(InstrumentationScope.MANUAL, SpanKind.INTERNAL, "bulk", null);
            span.setAttribute("payload", bulk);
            span.end();
            recorded++;
        }
        exporter = PlumeExporter.start(config(Map.of("otel.traces.exporter", "none")), tracing.ring(), "1.0");
        exporter.shutdown();

        ExporterMetrics metrics = exporter.metrics();
        assertEquals(10, metrics.spansDropped(DropReason.RING_FULL));
        assertEquals(recorded - 10, metrics.spansRead());
        assertEquals(recorded - 10, metrics.spansDropped(DropReason.EXPORTER_NONE));
        assertEquals(recorded, metrics.spansExported() + metrics.spansDroppedTotal() + metrics.spansBuffered());
        assertTrue(server.received().isEmpty(), "none sends nothing");
    }

    @Test
    void adaptiveSamplingKeepsErrorsAndAccountsForWhatItLeavesOut() throws Exception {
        // a first second of traffic teaches the sampler the rate; the spans after it are sampled against a target of 1/s
        exporter = PlumeExporter.start(config(Map.of("plume.sampler.target.spans.per.second", "1",
            "otel.bsp.schedule.delay", "50ms")), tracing.ring(), "1.0");
        long until = System.nanoTime() + 2 * AdaptiveSampler.WINDOW_NANOS + 200_000_000L;
        int recorded = 0;
        while (System.nanoTime() < until) {
            record("busy", 50);
            recorded += 50;
            Thread.sleep(5);
        }
        SpanSlot failed = Tracer.startSpan(InstrumentationScope.MANUAL, SpanKind.INTERNAL, "failed", null);
        failed.setStatus(StatusCode.ERROR, "boom");
        failed.end();
        recorded++;
        exporter.shutdown();

        ExporterMetrics metrics = exporter.metrics();
        assertTrue(metrics.spansSampledOut() > 0, metrics.toString());
        assertTrue(metrics.getAdaptiveSamplingKeepFraction() < 0.1, metrics.toString());
        assertEquals(recorded, metrics.spansExported() + metrics.spansSampledOut() + metrics.spansDroppedTotal()
            + metrics.spansBuffered(), "recorded = exported + sampled out + dropped + buffered");
        boolean errorArrived = false;
        for (OtlpTestServer.Received received : server.received()) {
            errorArrived |= received.request().getResourceSpans(0).getScopeSpansList().stream()
                .flatMap(scope -> scope.getSpansList().stream()).anyMatch(span -> span.getName().equals("failed"));
        }
        assertTrue(errorArrived, "the ERROR span is always exported");
    }

    @Test
    void otlpAndConsoleTogetherBothSeeEverySpan() {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        exporter = PlumeExporter.start(config(Map.of("otel.traces.exporter", "otlp,console")), tracing.ring(), "1.0",
            new PrintStream(console, true, StandardCharsets.UTF_8));
        SpanSlot root = Tracer.startSpan(InstrumentationScope.JDK_HTTP_SERVER, SpanKind.SERVER, "GET", "/both");
        Tracer.startSpan(InstrumentationScope.MANUAL, SpanKind.INTERNAL, "inside", null).end();
        root.end();
        exporter.shutdown();

        assertEquals(2, exporter.metrics().spansExported());
        assertEquals(1, server.received().size());
        String printed = console.toString(StandardCharsets.UTF_8);
        assertTrue(printed.startsWith("plume trace "), printed);
        assertTrue(printed.contains("\n  GET /both ") && printed.contains("\n    inside "), printed);
    }

    @Test
    void exporterListIsParsedWithOneLineForUnknownNames() {
        assertEquals(List.of("otlp"), exporters(null, List.of()));
        assertEquals(List.of("otlp", "console"), exporters("console, OTLP", List.of()));
        assertEquals(List.of("none"), exporters("none", List.of()));

        List<String> warnings = new ArrayList<>();
        assertEquals(List.of("otlp"), exporters("zipkin", warnings));
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("otel.traces.exporter") && warnings.get(0).contains("zipkin")
            && warnings.get(0).endsWith("using otlp"), warnings.get(0));

        warnings.clear();
        assertEquals(List.of("console"), exporters("console,jaeger", warnings));
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("jaeger") && warnings.get(0).endsWith("using console"), warnings.get(0));
    }

    @Test
    void batchSettingsAreReadWithTheirDefaults() {
        ExportSettings defaults = ExportSettings.from(PlumeConfig.of(Map.of(), Map.of(), w -> { }));
        assertEquals(2048, defaults.maxBatchSize());
        assertEquals(5000, defaults.scheduleDelayMillis());
        assertEquals(30000, defaults.exportTimeoutMillis());
        ExportSettings configured = ExportSettings.from(PlumeConfig.of(Map.of(), Map.of(
            "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "100",
            "OTEL_BSP_SCHEDULE_DELAY", "250",
            "OTEL_BSP_EXPORT_TIMEOUT", "2s"), w -> { }));
        assertEquals(100, configured.maxBatchSize());
        assertEquals(250, configured.scheduleDelayMillis());
        assertEquals(2000, configured.exportTimeoutMillis());
    }

    private static List<String> exporters(String value, List<String> warnings) {
        Map<String, String> properties = value == null ? Map.of() : Map.of("otel.traces.exporter", value);
        return ExportSettings.from(PlumeConfig.of(properties, Map.of(), warnings::add)).exporters();
    }

    private PlumeConfig config(Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>(extra);
        properties.put("otel.exporter.otlp.endpoint", server.endpoint());
        properties.putIfAbsent("otel.bsp.export.timeout", "20s");
        return PlumeConfig.of(properties, Map.of(), PlumeLog::warn);
    }

    private static void record(String name, int count) {
        for (int i = 0; i < count; i++) {
            Tracer.startSpan(InstrumentationScope.MANUAL, SpanKind.INTERNAL, name, String.valueOf(i)).end();
        }
    }
}
