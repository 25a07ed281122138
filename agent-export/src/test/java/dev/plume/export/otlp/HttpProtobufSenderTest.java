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
import dev.plume.export.resource.ResourceDetector;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The OTLP/HTTP sender against a real HTTP server on 127.0.0.1, alone and inside the running exporter. */
@Timeout(60) // a guard against hangs, not a speed assertion
class HttpProtobufSenderTest {
    private static final String VERSION = "9.9.9";

    private OtlpTestServer server;
    private TracingRing tracing;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws IOException {
        server = new OtlpTestServer();
        tracing = TracingRing.install();
        PlumeLog.redirect(new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void tearDown() {
        PlumeLog.redirect(System.err);
        tracing.close();
        server.close();
    }

    @Test
    void plainBodyDecodesAndConfiguredHeadersArrive() throws Exception {
        HttpProtobufSender sender = new HttpProtobufSender(settings(Map.of(
            "otel.exporter.otlp.headers", "api-key=secret123,x-tenant=acme%20corp")), VERSION);
        byte[] request = encodeSpans("checkout", 3);

        SendResult result = sender.send(request, request.length, 10_000);
        sender.shutdown();

        assertTrue(result.delivered(), result.toString());
        assertEquals(200, result.httpStatus());
        OtlpTestServer.Received received = server.received().get(0);
        assertEquals("POST", received.method());
        assertEquals("/v1/traces", received.path());
        assertEquals("application/x-protobuf", received.header("Content-Type"));
        assertEquals("plume-agent/" + VERSION, received.header("User-Agent"));
        assertEquals("secret123", received.header("api-key"));
        assertEquals("acme corp", received.header("x-tenant"));
        assertNull(received.header("Content-Encoding"));
        assertArrayEquals(request, received.rawBody());
        assertEquals(3, received.spanCount());
        assertEquals("checkout 0", received.request().getResourceSpans(0).getScopeSpans(0).getSpans(0).getName());
    }

    @Test
    void aBodyOfSeveralChunksArrivesByteForByte() throws Exception {
        HttpProtobufSender sender = new HttpProtobufSender(settings(Map.of()), VERSION);
        byte[] request = encodeSpans("chunked", 1500);
        assertTrue(request.length > 3 * OtlpHttpClient.BODY_CHUNK && request.length % OtlpHttpClient.BODY_CHUNK != 0,
            "several chunks and a partial last one: " + request.length + " bytes");

        SendResult result = sender.send(request, request.length, 10_000);
        sender.shutdown();

        assertTrue(result.delivered(), result.toString());
        OtlpTestServer.Received received = server.received().get(0);
        assertEquals(String.valueOf(request.length), received.header("Content-Length"));
        assertArrayEquals(request, received.rawBody());
        assertEquals(1500, received.spanCount());
    }

    @Test
    void gzipBodyDecodes() throws Exception {
        HttpProtobufSender sender = new HttpProtobufSender(settings(Map.of(
            "otel.exporter.otlp.traces.compression", "gzip")), VERSION);
        byte[] request = encodeSpans("compressed", 50);

        SendResult result = sender.send(request, request.length, 10_000);
        sender.shutdown();

        assertTrue(result.delivered(), result.toString());
        OtlpTestServer.Received received = server.received().get(0);
        assertEquals("gzip", received.header("Content-Encoding"));
        assertEquals(0x1f, received.rawBody()[0] & 0xFF);
        assertEquals(0x8b, received.rawBody()[1] & 0xFF);
        assertTrue(received.rawBody().length < request.length, "fifty similar spans compress");
        assertArrayEquals(request, received.body());
        assertEquals(50, received.spanCount());
    }

    @Test
    void serverErrorDropsTheBatchAndWarnsWithTheServersMessage() throws Exception {
        server.respondWith(500, OtlpTestServer.rpcStatus(13, "collector overloaded\nretry later"),
            "application/x-protobuf");
        PlumeExporter exporter = PlumeExporter.start(exporterConfig(Map.of(
            "otel.exporter.otlp.headers", "authorization=Bearer%20top-secret")), tracing.ring(), VERSION);
        recordSpans("failing", 7);
        exporter.shutdown();

        ExporterMetrics metrics = exporter.metrics();
        assertEquals(7, metrics.spansRead());
        assertEquals(0, metrics.spansExported());
        assertEquals(7, metrics.spansDropped(DropReason.NON_RETRYABLE));
        assertEquals(0, metrics.spansBuffered());
        assertEquals(1, server.received().size());
        String warnings = log.toString(StandardCharsets.UTF_8);
        String line = warnings.lines().filter(l -> l.startsWith("plume WARN OTLP export")).findFirst().orElseThrow();
        assertTrue(line.contains("HTTP 500") && line.contains("collector overloaded retry later")
            && line.contains("7 spans") && line.contains("non-retryable"), line);
        assertFalse(warnings.contains("top-secret"), "header values never reach the log");
    }

    @Test
    void connectionRefusedIsCountedWithoutExceptionOrHang() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        PlumeExporter exporter = PlumeExporter.start(PlumeConfig.of(Map.of(
            "otel.exporter.otlp.endpoint", "http://127.0.0.1:" + closedPort,
            "otel.exporter.otlp.timeout", "2000",
            "otel.bsp.export.timeout", "2000"), Map.of(), PlumeLog::warn), tracing.ring(), VERSION);
        recordSpans("unreachable", 5);
        exporter.shutdown();

        assertFalse(exporter.isRunning(), "shutdown returns with the exporter thread done");
        // an unreachable backend does not use up attempts: the batch waits until shutdown's time runs out
        assertEquals(5, exporter.metrics().spansDropped(DropReason.SHUTDOWN_TIMEOUT));
        assertTrue(exporter.metrics().retries() > 0);
        assertEquals(0, exporter.metrics().spansExported());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("cannot connect"), log.toString());
    }

    @Test
    void partialSuccessCountsTheRejectedSpans() throws Exception {
        byte[] partial = ExportTraceServiceResponse.newBuilder()
            .setPartialSuccess(ExportTracePartialSuccess.newBuilder().setRejectedSpans(2).setErrorMessage("too old"))
            .build().toByteArray();
        server.respondWith(200, partial, "application/x-protobuf");
        PlumeExporter exporter = PlumeExporter.start(exporterConfig(Map.of()), tracing.ring(), VERSION);
        recordSpans("partly", 6);
        exporter.shutdown();

        assertEquals(4, exporter.metrics().spansExported());
        assertEquals(2, exporter.metrics().spansDropped(DropReason.REJECTED_BY_BACKEND));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("too old"));
    }

    @Test
    void malformedEndpointDropsAndCountsSpans() {
        PlumeExporter exporter = PlumeExporter.start(PlumeConfig.of(Map.of(
            "otel.exporter.otlp.traces.endpoint", "not a url"), Map.of(), PlumeLog::warn), tracing.ring(), VERSION);
        recordSpans("nowhere", 3);
        exporter.shutdown();

        assertEquals(3, exporter.metrics().spansDropped(DropReason.INVALID_CONFIGURATION));
        List<String> lines = log.toString(StandardCharsets.UTF_8).lines()
            .filter(l -> l.contains("otel.exporter.otlp.traces.endpoint")).toList();
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("\"not a url\""), lines.get(0));
    }

    private OtlpExporterSettings settings(Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>(extra);
        properties.put("otel.exporter.otlp.endpoint", server.endpoint());
        return OtlpExporterSettings.from(PlumeConfig.of(properties, Map.of(), PlumeLog::warn));
    }

    private PlumeConfig exporterConfig(Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>(extra);
        properties.put("otel.exporter.otlp.endpoint", server.endpoint());
        properties.put("otel.bsp.export.timeout", "20000");
        return PlumeConfig.of(properties, Map.of(), PlumeLog::warn);
    }

    private static void recordSpans(String name, int count) {
        for (int i = 0; i < count; i++) {
            Tracer.startSpan(InstrumentationScope.MANUAL, SpanKind.INTERNAL, name, String.valueOf(i)).end();
        }
    }

    private byte[] encodeSpans(String name, int count) {
        recordSpans(name, count);
        OtlpTraceEncoder encoder = new OtlpTraceEncoder(
            ResourceDetector.detect(PlumeConfig.of(Map.of(), Map.of(), w -> { }), VERSION), VERSION);
        tracing.drain(encoder::append);
        int length = encoder.encodeRequest();
        byte[] request = java.util.Arrays.copyOf(encoder.requestArray(), length);
        assertDoesNotThrow(() -> ExportTraceServiceRequest.parseFrom(request));
        return request;
    }

    private static void assertDoesNotThrow(org.junit.jupiter.api.function.Executable executable) {
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(executable);
    }

}
