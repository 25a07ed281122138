package dev.plume.export.otlp;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.config.PlumeConfig;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.Tracer;
import dev.plume.export.DropReason;
import dev.plume.export.ExporterMetrics;
import dev.plume.export.OtlpTestServer;
import dev.plume.export.PlumeExporter;
import dev.plume.export.TracingRing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.management.ObjectName;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.plume.export.otlp.GrpcSenderTest.assertAccounted;
import static dev.plume.export.otlp.GrpcSenderTest.await;
import static dev.plume.export.otlp.GrpcSenderTest.freePort;
import static dev.plume.export.otlp.GrpcSenderTest.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OTLP/HTTP delivery through the running exporter against real HTTP and HTTPS servers: retries, faults, the queue. */
@Timeout(60) // a guard against hangs, not a speed assertion
class HttpDeliveryTest {
    private static final String VERSION = "9.9.9";

    private TracingRing tracing;
    private OtlpTestServer server;
    private PlumeExporter exporter;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() {
        tracing = TracingRing.install();
        PlumeLog.redirect(new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void tearDown() {
        if (exporter != null) {
            exporter.shutdown();
        }
        PlumeLog.redirect(System.err);
        tracing.close();
        if (server != null) {
            server.close();
        }
    }

    @Test
    void status503WithRetryAfterIsRetriedAfterTheDelay() throws Exception {
        server = new OtlpTestServer();
        server.script(new OtlpTestServer.Answer(503, new byte[0], "text/plain", Map.of("Retry-After", "1")));
        record("throttled", 3);
        long start = System.nanoTime();
        exporter = start(server.endpoint(), Map.of());
        server.awaitRequests(2, 30, TimeUnit.SECONDS);
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        exporter.shutdown();

        assertEquals(2, server.received().size());
        assertTrue(waitedMillis >= 900, "Retry-After: 1 honoured, not the 20 ms backoff: " + waitedMillis + " ms");
        assertEquals(3, server.received().get(1).spanCount());
        assertEquals(3, exporter.metrics().spansExported());
        assertEquals(1, exporter.metrics().retries());
        assertAccounted(exporter.metrics(), 3);
    }

    @Test
    void retryAfterTakesSecondsOrAnHttpDate() {
        assertEquals(120_000, HttpProtobufSender.retryAfterMillis("120", 0));
        assertEquals(5_000, HttpProtobufSender.retryAfterMillis("Thu, 01 Jan 1970 00:00:05 GMT", 0));
        assertEquals(-1, HttpProtobufSender.retryAfterMillis("soon", 0));
        assertEquals(-1, HttpProtobufSender.retryAfterMillis(null, 0));
    }

    @Test
    void status400WithAGoogleRpcStatusIsDroppedWithTheServersMessage() throws Exception {
        server = new OtlpTestServer();
        server.respondWith(400, OtlpTestServer.rpcStatus(3, "span name too long"), "application/x-protobuf");
        record("bad", 4);
        exporter = start(server.endpoint(), Map.of());
        exporter.shutdown();

        assertEquals(1, server.received().size(), "not retried");
        assertEquals(4, exporter.metrics().spansDropped(DropReason.NON_RETRYABLE));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("HTTP 400 \"span name too long\""), log.toString());
        assertAccounted(exporter.metrics(), 4);
    }

    @Test
    void garbageInAnAcceptedResponseStillCountsAsDelivered() throws Exception {
        server = new OtlpTestServer();
        server.respondWith(200, new byte[] {(byte) 0xFF, 0x0A, 0x7F, (byte) 0x80, 0x01, 0x12}, "application/x-protobuf");
        record("garbled", 3);
        exporter = start(server.endpoint(), Map.of());
        exporter.shutdown();

        assertEquals(3, exporter.metrics().spansExported());
        assertEquals(0, exporter.metrics().spansDroppedTotal());
    }

    @Test
    void garbageWithARetryableStatusIsRetried() throws Exception {
        server = new OtlpTestServer();
        server.script(new OtlpTestServer.Answer(502, "<html>\u0000bad gateway".getBytes(StandardCharsets.UTF_8),
            "text/html", Map.of()));
        record("gateway", 2);
        exporter = start(server.endpoint(), Map.of());
        exporter.shutdown();

        assertEquals(2, server.received().size());
        assertEquals(2, exporter.metrics().spansExported());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("HTTP 502 \"<html> bad gateway\""), log.toString());
    }

    @Test
    void fullQueueDropsTheOldestBatchesAndTheBackendGetsTheNewest() throws Exception {
        int port = freePort();
        exporter = start("http://127.0.0.1:" + port, Map.of(
            "otel.bsp.max.export.batch.size", "1",
            "plume.exporter.max.in.flight", "1",
            "plume.exporter.queue.batches", "2",
            "plume.exporter.retry.max.backoff", "100ms"));
        for (int i = 0; i < 6; i++) {
            record("span" + i, 1);
            int read = i + 1;
            await(() -> exporter.metrics().spansRead() == read, "span read");
        }
        await(() -> exporter.metrics().spansQueued() <= 3, "evictions");
        ExporterMetrics metrics = exporter.metrics();
        long dropped = metrics.spansDropped(DropReason.QUEUE_FULL);
        assertTrue(dropped >= 3, metrics.toString());
        assertAccounted(metrics, 6);

        server = new OtlpTestServer(port);
        await(() -> metrics.spansQueued() == 0, "the kept batches delivered");
        exporter.shutdown();
        List<String> names = server.received().stream().map(r -> {
            try {
                return r.request().getResourceSpans(0).getScopeSpans(0).getSpans(0).getName();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }).toList();
        assertTrue(names.contains("span4 0") && names.contains("span5 0"), "the newest are kept: " + names);
        assertEquals(6 - dropped, metrics.spansExported());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("dropped the oldest"), log.toString());
        assertAccounted(metrics, 6);
    }

    @Test
    void aBackendSlowerThanTheSpansHoldsThemInTheRingAndDropsNone() throws Exception {
        server = new OtlpTestServer();
        server.delay(100); // it answers every request, a tenth of a second late
        exporter = start(server.endpoint(), Map.of(
            "otel.bsp.max.export.batch.size", "1",
            "plume.exporter.max.in.flight", "1",
            "plume.exporter.queue.batches", "4"));
        int spans = 12;
        for (int i = 0; i < spans; i++) {
            record("slow" + i, 1);
            int read = i + 1;
            // the exporter leaves the span in the ring while two batches wait: it is read as the queue drains
            await(() -> exporter.metrics().spansRead() == read, "span read");
        }
        ExporterMetrics metrics = exporter.metrics();
        await(() -> metrics.spansExported() == spans, "every span delivered");
        assertEquals(0, metrics.spansDropped(DropReason.QUEUE_FULL), metrics.toString());
        assertAccounted(metrics, spans);
        List<String> names = server.acceptedSpanNames();
        assertEquals(spans, names.size(), names.toString());
        for (int i = 0; i < spans; i++) {
            assertEquals("slow" + i + " 0", names.get(i), "in order: " + names);
        }
        assertFalse(log.toString(StandardCharsets.UTF_8).contains("is full"), log.toString());
    }

    @Test
    void withASpoolASlowBackendDoesNotHoldSpansBackAndTheSpoolKeepsWhatTheQueueCannot(@TempDir Path spoolDir)
        throws Exception {
        server = new OtlpTestServer();
        server.delay(200);
        exporter = start(server.endpoint(), Map.of(
            "otel.bsp.max.export.batch.size", "1",
            "plume.exporter.max.in.flight", "1",
            "plume.exporter.queue.batches", "2",
            "plume.exporter.spool.dir", spoolDir.toString()));
        int spans = 12;
        for (int i = 0; i < spans; i++) {
            record("spooled" + i, 1);
            int read = i + 1;
            await(() -> exporter.metrics().spansRead() == read, "span read");
        }
        assertTrue(server.received().size() < spans / 2, "read without waiting for the backend: "
            + server.received().size() + " requests answered");
        ExporterMetrics metrics = exporter.metrics();
        await(() -> server.acceptedSpanNames().size() == spans, "every span delivered, from memory or the spool");
        assertTrue(metrics.spansSpooled() > 0, metrics.toString());
        assertEquals(0, metrics.spansDroppedTotal(), metrics.toString());
        assertEquals(spans, new java.util.HashSet<>(server.acceptedSpanNames()).size(), "none sent twice");
    }

    @Test
    void aBatchIsSentOnceItsSpansReachTheRequestSizeLimitAndNoSpanIsLost() throws Exception {
        server = new OtlpTestServer();
        exporter = start(server.endpoint(), Map.of(
            "otel.bsp.schedule.delay", "10m", // only the size limit sends a batch before shutdown
            "plume.exporter.max.request.size", "4k"));
        int spans = 40;
        String payload = "p".repeat(400);
        for (int i = 0; i < spans; i++) {
            Tracer.startSpan(InstrumentationScope.MANUAL, SpanKind.INTERNAL, "big", String.valueOf(i))
                .setAttribute("payload", payload).end();
        }
        // ~550 encoded bytes a span: a request every eight or nine spans, long before the batch's 2048
        await(() -> server.accepted().size() >= 3, "batches sent by size");
        exporter.shutdown(); // sends the rest
        for (OtlpTestServer.Received request : server.accepted()) {
            // the limit counts the spans: the request adds the resource and the scope (~400 bytes here)
            assertTrue(request.rawBody().length < 4096 + 600 + 600, "one span past the limit at most: "
                + request.rawBody().length + " bytes, " + request.spanCount() + " spans");
        }
        List<String> names = server.acceptedSpanNames();
        assertEquals(spans, names.size(), names.toString());
        assertEquals(spans, new java.util.HashSet<>(names).size(), "each span once: " + names);
        assertAccounted(exporter.metrics(), spans);
    }

    @Test
    void httpsWithATestCaAndClientCertificate() throws Exception {
        TestCertificates certs = TestCertificates.shared();
        server = new OtlpTestServer(certs.serverContext(), true);
        record("tls", 3);
        exporter = start(server.endpoint(), Map.of(
            "otel.exporter.otlp.certificate", certs.caPem.toString(),
            "otel.exporter.otlp.traces.client.key", certs.clientKeyPem.toString(),
            "otel.exporter.otlp.traces.client.certificate", certs.clientCertPem.toString()));
        exporter.shutdown();

        assertEquals(1, server.received().size());
        assertEquals(3, server.received().get(0).spanCount());
        assertEquals(3, exporter.metrics().spansExported());
    }

    @Test
    void countersArePublishedAsAnMBeanWhileTheExporterRuns() throws Exception {
        server = new OtlpTestServer();
        ObjectName name = new ObjectName("dev.plume:type=Exporter");
        exporter = start(server.endpoint(), Map.of("otel.bsp.schedule.delay", "20ms"));
        record("jmx", 2);
        await(() -> {
            try {
                return Long.valueOf(2).equals(ManagementFactory.getPlatformMBeanServer()
                    .getAttribute(name, "SpansExported"));
            } catch (Exception e) {
                return false;
            }
        }, "SpansExported over JMX");
        var mbeans = ManagementFactory.getPlatformMBeanServer();
        assertEquals(0L, mbeans.getAttribute(name, "SpansSampledOut"));
        assertEquals(0L, mbeans.getAttribute(name, "SpansCutToFit"));
        assertEquals(1.0, mbeans.getAttribute(name, "AdaptiveSamplingKeepFraction"), "adaptive sampling is off");
        exporter.shutdown();
        assertFalse(ManagementFactory.getPlatformMBeanServer().isRegistered(name), "unregistered at shutdown");
    }

    private PlumeExporter start(String endpoint, Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>();
        properties.put("otel.exporter.otlp.endpoint", endpoint);
        properties.put("otel.bsp.export.timeout", "20s");
        properties.put("plume.exporter.retry.initial.backoff", "20ms");
        properties.putAll(extra);
        return PlumeExporter.start(PlumeConfig.of(properties, Map.of(), PlumeLog::warn), tracing.ring(), VERSION);
    }

}
