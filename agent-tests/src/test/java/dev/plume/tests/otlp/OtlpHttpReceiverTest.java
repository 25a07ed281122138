package dev.plume.tests.otlp;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OtlpHttpReceiverTest {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN_ID = "00f067aa0ba902b7";
    private static final String PARENT_ID = "53995c3f42cd8ad8";

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private OtlpHttpReceiver receiver;

    @BeforeEach
    void startReceiver() {
        receiver = OtlpHttpReceiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    @Test
    void endpointIsLoopbackWithEphemeralPort() {
        assertTrue(receiver.port() > 0);
        assertEquals("http://127.0.0.1:" + receiver.port(), receiver.endpoint());
    }

    @Test
    void decodesPlainProtobuf() throws Exception {
        ExportTraceServiceRequest sent = export("GET /chain");

        HttpResponse<byte[]> response = post(sent.toByteArray(), "application/x-protobuf", null);

        assertEquals(200, response.statusCode());
        assertEquals("application/x-protobuf", response.headers().firstValue("content-type").orElse(null));
        assertEquals(ExportTraceServiceResponse.getDefaultInstance(), ExportTraceServiceResponse.parseFrom(response.body()));
        assertEquals(List.of(sent), receiver.requests());
        ReceivedRequest recorded = receiver.received().get(0);
        assertEquals("POST", recorded.method());
        assertEquals("/v1/traces", recorded.path());
        assertEquals("plain", recorded.header("X-Scenario"));
        assertNull(recorded.header("content-encoding"));
    }

    @Test
    void decodesGzippedProtobuf() throws Exception {
        ExportTraceServiceRequest sent = export("GET /hello");

        HttpResponse<byte[]> response = post(gzip(sent.toByteArray()), "application/x-protobuf", "gzip");

        assertEquals(200, response.statusCode());
        assertEquals(List.of(sent), receiver.requests());
        assertEquals("gzip", receiver.received().get(0).header("Content-Encoding"));
    }

    @Test
    void exposesSpansWithTheirResourceAndPlainAttributeValues() throws Exception {
        post(export("GET /chain").toByteArray(), "application/x-protobuf", null);

        ReceivedSpan span = receiver.awaitSpan("the posted span",
                OtlpHttpReceiver.named("GET /chain", Span.SpanKind.SPAN_KIND_SERVER), Duration.ofSeconds(5));

        assertEquals(TRACE_ID, span.traceId());
        assertEquals(SPAN_ID, span.spanId());
        assertEquals(PARENT_ID, span.parentSpanId());
        assertFalse(span.isRoot());
        assertEquals(Status.StatusCode.STATUS_CODE_ERROR, span.statusCode());
        assertEquals("GET", span.attribute("http.request.method"));
        assertEquals(500L, span.attribute("http.response.status_code"));
        assertEquals(List.of("a", "b"), span.attribute("list"));
        assertNull(span.attribute("absent"));
        assertEquals(Map.of("service.name", "receiver-test", "process.pid", 4242L), span.resourceAttributes());
        assertEquals("test-scope", span.scope().getName());
        assertEquals(1, receiver.spans("GET /chain", Span.SpanKind.SPAN_KIND_SERVER).size());
        assertEquals(0, receiver.spans("GET /chain", Span.SpanKind.SPAN_KIND_CLIENT).size());
        assertEquals(List.of(span), receiver.trace(TRACE_ID));
    }

    @Test
    void rejectsWhatIsNotAnOtlpProtobufTraceExport() throws Exception {
        byte[] body = export("x").toByteArray();

        assertEquals(415, post(body, "application/json", null).statusCode());
        assertEquals(404, send(HttpRequest.newBuilder(URI.create(receiver.endpoint() + "/v1/metrics"))
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))).statusCode());
        // Field 1 with wire type 7, which does not exist.
        assertEquals(400, post(new byte[] {0x0F}, "application/x-protobuf", null).statusCode());
        assertEquals(400, post(body, "application/x-protobuf", "gzip").statusCode());

        assertTrue(receiver.requests().isEmpty());
        assertEquals(4, receiver.received().size());
        assertTrue(receiver.received().stream().noneMatch(ReceivedRequest::accepted));
        assertTrue(receiver.summary().contains("rejected"), receiver.summary());
    }

    @Test
    void waitingFailsWithWhatWasReceived() throws Exception {
        post(export("GET /hello").toByteArray(), "application/x-protobuf", null);

        AssertionError timeout = assertThrows(AssertionError.class, () -> receiver.awaitSpan("a span never sent",
                span -> span.name().equals("never"), Duration.ofMillis(200)));

        assertTrue(timeout.getMessage().contains("a span never sent"), timeout.getMessage());
        assertTrue(timeout.getMessage().contains("'GET /hello'"), timeout.getMessage());
    }

    @Test
    void waitingReturnsOnceASpanArrives() throws Exception {
        Thread poster = new Thread(() -> {
            try {
                post(export("late").toByteArray(), "application/x-protobuf", null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        poster.start();

        List<ReceivedSpan> trace = receiver.awaitTrace(TRACE_ID, 1, Duration.ofSeconds(10));

        assertEquals("late", trace.get(0).name());
        poster.join();
    }

    @Test
    void absenceCheckPassesOnSilenceAndFailsOnAnyRequest() throws Exception {
        receiver.assertNothingReceivedWithin(Duration.ofMillis(100));

        post(new byte[0], "text/plain", null);

        assertThrows(AssertionError.class, () -> receiver.assertNothingReceivedWithin(Duration.ofMillis(100)));
    }

    private HttpResponse<byte[]> post(byte[] body, String contentType, String encoding)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(receiver.endpoint() + "/v1/traces"))
                .header("Content-Type", contentType)
                .header("X-Scenario", encoding == null ? "plain" : encoding)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (encoding != null) {
            request.header("Content-Encoding", encoding);
        }
        return send(request);
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static ExportTraceServiceRequest export(String spanName) {
        Span span = Span.newBuilder()
                .setTraceId(bytes(TRACE_ID))
                .setSpanId(bytes(SPAN_ID))
                .setParentSpanId(bytes(PARENT_ID))
                .setName(spanName)
                .setKind(Span.SpanKind.SPAN_KIND_SERVER)
                .setStartTimeUnixNano(1_700_000_000_000_000_000L)
                .setEndTimeUnixNano(1_700_000_000_005_000_000L)
                .addAttributes(string("http.request.method", "GET"))
                .addAttributes(KeyValue.newBuilder().setKey("http.response.status_code")
                        .setValue(AnyValue.newBuilder().setIntValue(500)))
                .addAttributes(KeyValue.newBuilder().setKey("list").setValue(AnyValue.newBuilder()
                        .setArrayValue(ArrayValue.newBuilder()
                                .addValues(AnyValue.newBuilder().setStringValue("a"))
                                .addValues(AnyValue.newBuilder().setStringValue("b")))))
                .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR))
                .build();
        Resource resource = Resource.newBuilder()
                .addAttributes(string("service.name", "receiver-test"))
                .addAttributes(KeyValue.newBuilder().setKey("process.pid").setValue(AnyValue.newBuilder().setIntValue(4242)))
                .build();
        return ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(ResourceSpans.newBuilder()
                        .setResource(resource)
                        .addScopeSpans(ScopeSpans.newBuilder()
                                .setScope(InstrumentationScope.newBuilder().setName("test-scope"))
                                .addSpans(span)))
                .build();
    }

    private static KeyValue string(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    private static ByteString bytes(String hex) {
        return ByteString.copyFrom(HexFormat.of().parseHex(hex));
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(data);
        }
        return out.toByteArray();
    }
}
