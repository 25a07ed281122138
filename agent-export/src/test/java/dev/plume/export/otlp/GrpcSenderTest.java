package dev.plume.export.otlp;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.rpc.RetryInfo;
import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.config.PlumeConfig;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.Tracer;
import dev.plume.export.DropReason;
import dev.plume.export.ExporterMetrics;
import dev.plume.export.GrpcTestServer;
import dev.plume.export.PlumeExporter;
import dev.plume.export.TestPorts;
import dev.plume.export.TracingRing;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.protobuf.StatusProto;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OTLP/gRPC against a real grpc-java server on 127.0.0.1, through the running exporter: delivery and faults. */
@Timeout(60) // a guard against hangs, not a speed assertion
class GrpcSenderTest {
    private static final String VERSION = "9.9.9";

    private TracingRing tracing;
    private GrpcTestServer server;
    private PlumeExporter exporter;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() {
        tracing = TracingRing.install();
        PlumeLog.redirect(new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void tearDown() throws Exception {
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
    void spansArriveGzippedOverOnePooledHttp2Connection() throws Exception {
        server = GrpcTestServer.start(GrpcTestServer.OK);
        record("pooled", 12);
        exporter = start(server.endpoint("http"), Map.of(
            "otel.exporter.otlp.compression", "gzip",
            "otel.exporter.otlp.headers", "api-key=secret123",
            "otel.bsp.max.export.batch.size", "2"));
        exporter.shutdown();

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            expected.add("pooled " + i);
        }
        // two requests in flight may arrive in either order
        assertEquals(new java.util.HashSet<>(expected), new java.util.HashSet<>(server.spanNames()));
        assertEquals(12, server.spanNames().size());
        assertEquals(6, server.calls());
        // two calls may start together (max.in.flight = 2) and open one connection each, never more
        assertTrue(server.connections() <= 2, "HTTP/2 connections reused across batches: " + server.connections());
        Metadata headers = server.headers().get(0);
        assertEquals("secret123", headers.get(Metadata.Key.of("api-key", Metadata.ASCII_STRING_MARSHALLER)));
        assertTrue(headers.get(Metadata.Key.of("user-agent", Metadata.ASCII_STRING_MARSHALLER))
            .startsWith("plume-agent/" + VERSION));
        ExporterMetrics metrics = exporter.metrics();
        assertEquals(12, metrics.spansExported());
        assertEquals(6, metrics.exportRequests());
        assertTrue(metrics.bytesSent() > 0);
        assertAccounted(metrics, 12);
        assertFalse(log.toString(StandardCharsets.UTF_8).contains("secret123"));
    }

    @Test
    void unavailableForTheFirstCallsIsRetriedUntilDelivered() throws Exception {
        server = GrpcTestServer.start((call, request, response) -> {
            if (call < 2) {
                response.onError(Status.UNAVAILABLE.withDescription("warming up").asRuntimeException());
            } else {
                GrpcTestServer.OK.answer(call, request, response);
            }
        });
        record("retried", 4);
        exporter = start(server.endpoint("http"), Map.of());
        exporter.shutdown();

        assertEquals(3, server.calls());
        assertEquals(4, exporter.metrics().spansExported());
        assertEquals(2, exporter.metrics().retries());
        assertEquals(0, exporter.metrics().spansDroppedTotal());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("UNAVAILABLE \"warming up\""), log.toString());
        assertAccounted(exporter.metrics(), 4);
    }

    @Test
    void resourceExhaustedIsRetriedOnlyWithRetryInfo() throws Exception {
        com.google.rpc.Status withRetryInfo = com.google.rpc.Status.newBuilder()
            .setCode(Status.Code.RESOURCE_EXHAUSTED.value())
            .setMessage("slow down")
            .addDetails(Any.pack(RetryInfo.newBuilder()
                .setRetryDelay(Duration.newBuilder().setNanos(100_000_000)).build()))
            .build();
        server = GrpcTestServer.start((call, request, response) -> {
            if (call == 0) {
                response.onError(StatusProto.toStatusRuntimeException(withRetryInfo));
            } else if (call == 1) {
                response.onError(Status.RESOURCE_EXHAUSTED.withDescription("quota, no hint").asRuntimeException());
            } else {
                GrpcTestServer.OK.answer(call, request, response);
            }
        });
        record("first", 2); // call 0 fails with RetryInfo, call 1 (its retry) fails without: dropped
        exporter = start(server.endpoint("http"), Map.of());
        exporter.shutdown();

        assertEquals(2, server.calls());
        assertEquals(1, exporter.metrics().retries());
        assertEquals(2, exporter.metrics().spansDropped(DropReason.NON_RETRYABLE));
        String line = log.toString(StandardCharsets.UTF_8).lines()
            .filter(l -> l.startsWith("plume WARN OTLP export of 2 spans")).findFirst().orElseThrow();
        assertTrue(line.contains("RESOURCE_EXHAUSTED \"quota, no hint\""), line);
        assertAccounted(exporter.metrics(), 2);
    }

    @Test
    void nonRetryableStatusDropsWithThePercentDecodedMessage() throws Exception {
        server = GrpcTestServer.start((call, request, response) ->
            response.onError(Status.INVALID_ARGUMENT.withDescription("span 100% bad\u00e9").asRuntimeException()));
        record("invalid", 3);
        exporter = start(server.endpoint("http"), Map.of());
        exporter.shutdown();

        assertEquals(1, server.calls());
        assertEquals(3, exporter.metrics().spansDropped(DropReason.NON_RETRYABLE));
        assertEquals(0, exporter.metrics().retries());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("INVALID_ARGUMENT \"span 100% bad\u00e9\""),
            log.toString(StandardCharsets.UTF_8));
    }

    @Test
    void partialSuccessCountsRejectedSpansWithoutRetry() throws Exception {
        server = GrpcTestServer.start((call, request, response) -> {
            response.onNext(ExportTraceServiceResponse.newBuilder().setPartialSuccess(
                ExportTracePartialSuccess.newBuilder().setRejectedSpans(1).setErrorMessage("one too old")).build());
            response.onCompleted();
        });
        record("partial", 3);
        exporter = start(server.endpoint("http"), Map.of());
        exporter.shutdown();

        assertEquals(1, server.calls());
        assertEquals(2, exporter.metrics().spansExported());
        assertEquals(1, exporter.metrics().spansDropped(DropReason.REJECTED_BY_BACKEND));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("one too old"));
        assertAccounted(exporter.metrics(), 3);
    }

    @Test
    void backendThatStartsAfterTheApplicationGetsWhatWasKept() throws Exception {
        int port = freePort();
        exporter = start("http://127.0.0.1:" + port, Map.of(
            "otel.bsp.max.export.batch.size", "3",
            "otel.bsp.schedule.delay", "20ms",
            "plume.exporter.retry.max.backoff", "200ms"));
        record("early", 6);
        await(() -> exporter.metrics().retries() >= 2, "retries while the backend is away");
        assertEquals(6, exporter.metrics().spansQueued(), "kept in the queue, not dropped");
        assertEquals(0, exporter.metrics().spansDroppedTotal());

        server = GrpcTestServer.start(port, io.grpc.InsecureServerCredentials.create(), GrpcTestServer.OK);
        await(() -> exporter.metrics().spansExported() == 6, "delivery once the backend is up");
        exporter.shutdown();
        assertEquals(6, server.spanNames().size());
        assertEquals(0, exporter.metrics().spansDroppedTotal());
        assertAccounted(exporter.metrics(), 6);
    }

    @Test
    void timeoutsUseUpNoAttemptsSoASlowBackendGetsTheBatchOnceItAnswersInTime() throws Exception {
        server = GrpcTestServer.start((call, request, response) -> {
            if (call < 3) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            GrpcTestServer.OK.answer(call, request, response);
        });
        record("slow", 3);
        exporter = start(server.endpoint("http"), Map.of(
            "otel.exporter.otlp.timeout", "200ms",
            "plume.exporter.retry.max.attempts", "2"));
        await(() -> exporter.metrics().spansExported() == 3, "delivery once the backend answers in time");
        exporter.shutdown();

        assertTrue(exporter.metrics().retries() >= 3, "three timeouts, each retried: " + exporter.metrics());
        assertEquals(0, exporter.metrics().spansDroppedTotal());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("timed out"), log.toString());
        assertAccounted(exporter.metrics(), 3);
    }

    @Test
    void mutualTlsWithATestCa() throws Exception {
        TestCertificates certs = TestCertificates.shared();
        server = GrpcTestServer.start(0, TlsServerCredentials.newBuilder()
            .keyManager(certs.serverCertPem.toFile(), certs.serverKeyPem.toFile())
            .trustManager(certs.caPem.toFile())
            .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
            .build(), GrpcTestServer.OK);
        record("secure", 2);
        exporter = start(server.endpoint("https"), Map.of(
            "otel.exporter.otlp.traces.certificate", certs.caPem.toString(),
            "otel.exporter.otlp.client.key", certs.clientKeyPem.toString(),
            "otel.exporter.otlp.client.certificate", certs.clientCertPem.toString()));
        exporter.shutdown();

        assertEquals(List.of("secure 0", "secure 1"), server.spanNames());
        assertEquals(2, exporter.metrics().spansExported());

        // the same server without trusting its CA: a TLS failure, reported; the batch is kept (fixing the trust store
        // or the certificate brings it through), so at exit, with no spool, shutdown stops waiting and counts it
        tracing.close();
        tracing = TracingRing.install();
        record("untrusted", 1);
        exporter = start(server.endpoint("https"), Map.of());
        await(() -> exporter.metrics().retries() >= 1, "a TLS failure is retried");
        exporter.shutdown();
        assertEquals(1, exporter.metrics().spansDropped(DropReason.SHUTDOWN_TIMEOUT), exporter.metrics().toString());
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("TLS failure"), text);
        assertTrue(text.contains("is not accepting spans"), text);
    }

    @Test
    void unusableTlsFileIsOneLineAndExportIsOff(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("no-such-ca.pem");
        record("unsent", 2);
        exporter = start("https://127.0.0.1:1", Map.of("otel.exporter.otlp.certificate", missing.toString()));
        exporter.shutdown();

        assertEquals(2, exporter.metrics().spansDropped(DropReason.INVALID_CONFIGURATION));
        List<String> lines = log.toString(StandardCharsets.UTF_8).lines()
            .filter(l -> l.contains("otel.exporter.otlp.certificate")).toList();
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("plume ERROR") && lines.get(0).contains(missing.toString()), lines.get(0));
    }

    @Test
    void grpcStatusDetailsParsing() {
        assertEquals("a b%c\u00e9", GrpcSender.percentDecode("a%20b%c%C3%A9"));
        SendResult unavailable = GrpcSender.status(GrpcSender.UNAVAILABLE, "", 200, null);
        assertTrue(unavailable.retryable());
        SendResult exhausted = GrpcSender.status(GrpcSender.RESOURCE_EXHAUSTED, "", 200, null);
        assertFalse(exhausted.retryable());
        byte[] details = com.google.rpc.Status.newBuilder().setCode(8).addDetails(Any.pack(RetryInfo.newBuilder()
            .setRetryDelay(Duration.newBuilder().setSeconds(2).setNanos(500_000_000)).build())).build().toByteArray();
        SendResult hinted = GrpcSender.status(GrpcSender.RESOURCE_EXHAUSTED, "", 200, details);
        assertTrue(hinted.retryable());
        assertEquals(2500, hinted.retryAfterMillis());
        assertEquals(GrpcSender.UNAVAILABLE, GrpcSender.fromHttpStatus(503));
        assertEquals(GrpcSender.INTERNAL, GrpcSender.fromHttpStatus(400));
    }

    private PlumeExporter start(String endpoint, Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>();
        properties.put("otel.exporter.otlp.protocol", "grpc");
        properties.put("otel.exporter.otlp.endpoint", endpoint);
        properties.put("otel.bsp.export.timeout", "20s");
        properties.put("plume.exporter.retry.initial.backoff", "20ms");
        properties.putAll(extra);
        return PlumeExporter.start(PlumeConfig.of(properties, Map.of(), PlumeLog::warn), tracing.ring(), VERSION);
    }

    static void record(String name, int count) {
        for (int i = 0; i < count; i++) {
            Tracer.startSpan(InstrumentationScope.MANUAL, SpanKind.INTERNAL, name, String.valueOf(i)).end();
        }
    }

    /** recorded = exported + dropped + buffered, and every recorded span reached the exporter's books. */
    static void assertAccounted(ExporterMetrics metrics, long recorded) {
        assertEquals(recorded, metrics.spansRecorded(), metrics.toString());
        assertEquals(recorded, metrics.spansExported() + metrics.spansSampledOut() + metrics.spansDroppedTotal()
            + metrics.spansBuffered() + metrics.spansSpooled(), metrics.toString());
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L; // a guard against hangs, not a speed assertion
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    /** A port for a server started later in the test (see {@link TestPorts}). */
    static int freePort() throws Exception {
        return TestPorts.freeForLaterBind();
    }
}
