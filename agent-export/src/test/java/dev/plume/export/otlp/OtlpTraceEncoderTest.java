package dev.plume.export.otlp;

import com.google.protobuf.ByteString;
import dev.plume.bootstrap.config.PlumeConfig;
import dev.plume.bootstrap.trace.AttributeKey;
import dev.plume.bootstrap.trace.EpochClock;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.SpanLimits;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.StatusCode;
import dev.plume.bootstrap.trace.Tracer;
import dev.plume.export.TracingRing;
import dev.plume.export.resource.Resource;
import dev.plume.export.resource.ResourceDetector;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.SpanFlags;
import io.opentelemetry.proto.trace.v1.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spans recorded by the real tracer, encoded by the encoder, decoded by the official OTLP protobuf classes. */
class OtlpTraceEncoderTest {
    private static final String VERSION = "1.2.3-test";
    private static final String CJK_EMOJI_NAME = "GET /商品/検索/🚀";
    private static final String REMOTE_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String REMOTE_PARENT_ID = "00f067aa0ba902b7";

    private TracingRing tracing;
    private Resource resource;
    private OtlpTraceEncoder encoder;

    @BeforeEach
    void setUp() {
        // small limits so dropped counts show: 6 attributes, 2 events, 2 attributes per event
        tracing = TracingRing.install(new SpanLimits(6, 2, 2, Integer.MAX_VALUE));
        PlumeConfig config = PlumeConfig.of(Map.of(
                "otel.service.name", "checkout",
                "otel.resource.attributes", "deployment.environment.name=prod,host.name=override-host"),
            Map.of(), warning -> { });
        resource = ResourceDetector.detect(config, VERSION);
        encoder = new OtlpTraceEncoder(resource, VERSION);
    }

    @AfterEach
    void tearDown() {
        tracing.close();
    }

    @Test
    void everyFieldSurvivesTheRoundTrip() throws Exception {
        long before = EpochClock.nowEpochNanos();
        SpanSlot server = Tracer.startSpan(InstrumentationScope.JDK_HTTP_SERVER, SpanKind.SERVER, "GET", "/商品/検索/🚀");
        // slots are pooled and reused once ended: capture what the assertions need first
        long serverStart = server.startEpochNanos();
        long serverTraceHigh = server.traceIdHigh();
        long serverTraceLow = server.traceIdLow();
        long serverSpanId = server.spanId();
        // registered keys (carried as ids, their bytes copied from the key table) mixed with plain string keys
        server.setAttribute(AttributeKey.of("http.request.method"), "GET")
            .setAttribute(AttributeKey.of("http.response.status_code"), 200L)
            .setAttribute("negative", -42L)
            .setAttribute(AttributeKey.of("ratio"), 0.25)
            .setAttribute(AttributeKey.of("cached"), true)
            .setAttribute("empty", "")
            .setAttribute("over.limit.1", "x")
            .setAttribute("over.limit.2", false);
        server.addEvent("retry");
        server.setEventAttribute("attempt", 2L).setEventAttribute(AttributeKey.of("reason"), "timeout 超时")
            .setEventAttribute("event.over.limit", "dropped");
        server.addEvent("second 🎉");
        server.addEvent("third, over the event limit");
        server.setStatus(StatusCode.ERROR, "boom 💥");

        SpanSlot client = Tracer.startSpan(InstrumentationScope.JDK_HTTP_CLIENT, SpanKind.CLIENT, "GET", null);
        long clientStart = client.startEpochNanos();
        client.setAttribute("flag", false).setAttribute("zero", 0L).setAttribute("nothing", 0.0);
        client.end(clientStart + 1_234_567);

        SpanSlot internal = Tracer.startSpan(InstrumentationScope.MANUAL, SpanKind.INTERNAL, "compute", null);
        internal.end(internal.startEpochNanos() + 10);
        server.end(serverStart + 9_876_543_210L);

        SpanSlot remote = Tracer.startSpanFromRemote(InstrumentationScope.JDK_HTTP_SERVER, SpanKind.SERVER, "POST",
            "/orders", "00-" + REMOTE_TRACE_ID + "-" + REMOTE_PARENT_ID + "-01", "vendor=abc,other=x");
        remote.end(remote.startEpochNanos() + 1);
        long after = EpochClock.nowEpochNanos();

        ExportTraceServiceRequest request = encodeAll(4);

        assertEquals(1, request.getResourceSpansCount());
        ResourceSpans resourceSpans = request.getResourceSpans(0);
        Map<String, AnyValue> resourceAttributes = attributes(resourceSpans.getResource().getAttributesList());
        assertEquals("checkout", resourceAttributes.get("service.name").getStringValue());
        assertEquals("prod", resourceAttributes.get("deployment.environment.name").getStringValue());
        assertEquals("override-host", resourceAttributes.get("host.name").getStringValue());
        assertEquals("plume", resourceAttributes.get("telemetry.sdk.name").getStringValue());
        assertEquals("java", resourceAttributes.get("telemetry.sdk.language").getStringValue());
        assertEquals(VERSION, resourceAttributes.get("telemetry.sdk.version").getStringValue());
        assertEquals(VERSION, resourceAttributes.get("telemetry.distro.version").getStringValue());
        assertEquals(ProcessHandle.current().pid(), resourceAttributes.get("process.pid").getIntValue());
        assertEquals(resource.attributes().size(), resourceSpans.getResource().getAttributesCount());

        // one ScopeSpans per scope, each named and versioned
        Map<String, ScopeSpans> scopes = new HashMap<>();
        for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
            assertEquals(VERSION, scopeSpans.getScope().getVersion());
            assertTrue(scopes.put(scopeSpans.getScope().getName(), scopeSpans) == null, "one ScopeSpans per scope");
        }
        assertEquals(3, scopes.size());
        ScopeSpans serverScope = scopes.get(InstrumentationScope.name(InstrumentationScope.JDK_HTTP_SERVER));
        ScopeSpans clientScope = scopes.get(InstrumentationScope.name(InstrumentationScope.JDK_HTTP_CLIENT));
        ScopeSpans manualScope = scopes.get(InstrumentationScope.name(InstrumentationScope.MANUAL));
        assertEquals(2, serverScope.getSpansCount());
        assertEquals(1, clientScope.getSpansCount());
        assertEquals(1, manualScope.getSpansCount());

        Span serverSpan = byName(serverScope, CJK_EMOJI_NAME);
        Span clientSpan = clientScope.getSpans(0);
        Span internalSpan = manualScope.getSpans(0);
        Span remoteSpan = byName(serverScope, "POST /orders");

        // ids: 16-byte trace id high then low, 8-byte span ids, big-endian
        assertEquals(traceId(serverTraceHigh, serverTraceLow), serverSpan.getTraceId());
        assertEquals(spanId(serverSpanId), serverSpan.getSpanId());
        assertEquals(ByteString.EMPTY, serverSpan.getParentSpanId(), "a root has no parent_span_id");
        assertEquals(serverSpan.getTraceId(), clientSpan.getTraceId());
        assertEquals(serverSpan.getSpanId(), clientSpan.getParentSpanId());
        assertEquals(serverSpan.getSpanId(), internalSpan.getParentSpanId());
        assertEquals(REMOTE_TRACE_ID, hex(remoteSpan.getTraceId()));
        assertEquals(REMOTE_PARENT_ID, hex(remoteSpan.getParentSpanId()));

        // names, kinds, times
        assertEquals(CJK_EMOJI_NAME, serverSpan.getName());
        assertEquals("GET", clientSpan.getName());
        assertEquals("compute", internalSpan.getName());
        assertEquals(Span.SpanKind.SPAN_KIND_SERVER, serverSpan.getKind());
        assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, clientSpan.getKind());
        assertEquals(Span.SpanKind.SPAN_KIND_INTERNAL, internalSpan.getKind());
        assertEquals(serverStart, serverSpan.getStartTimeUnixNano());
        assertEquals(serverStart + 9_876_543_210L, serverSpan.getEndTimeUnixNano());
        assertTrue(serverStart >= before && serverStart <= after);
        assertEquals(clientStart, clientSpan.getStartTimeUnixNano());
        assertEquals(clientStart + 1_234_567, clientSpan.getEndTimeUnixNano());

        // attributes of every type, in order; the AnyValue type is kept even for "", false, 0 and 0.0
        List<KeyValue> serverAttributes = serverSpan.getAttributesList();
        assertEquals(List.of("http.request.method", "http.response.status_code", "negative", "ratio", "cached",
            "empty"), serverAttributes.stream().map(KeyValue::getKey).toList());
        Map<String, AnyValue> values = attributes(serverAttributes);
        assertEquals("GET", values.get("http.request.method").getStringValue());
        assertEquals(200L, values.get("http.response.status_code").getIntValue());
        assertEquals(-42L, values.get("negative").getIntValue());
        assertEquals(0.25, values.get("ratio").getDoubleValue());
        assertTrue(values.get("cached").getBoolValue());
        assertEquals(AnyValue.ValueCase.STRING_VALUE, values.get("empty").getValueCase());
        assertEquals("", values.get("empty").getStringValue());
        assertEquals(2, serverSpan.getDroppedAttributesCount());
        Map<String, AnyValue> clientValues = attributes(clientSpan.getAttributesList());
        assertEquals(AnyValue.ValueCase.BOOL_VALUE, clientValues.get("flag").getValueCase());
        assertFalse(clientValues.get("flag").getBoolValue());
        assertEquals(AnyValue.ValueCase.INT_VALUE, clientValues.get("zero").getValueCase());
        assertEquals(AnyValue.ValueCase.DOUBLE_VALUE, clientValues.get("nothing").getValueCase());
        assertEquals(0, clientSpan.getDroppedAttributesCount());

        // events with their attributes and dropped counts
        assertEquals(2, serverSpan.getEventsCount());
        assertEquals(1, serverSpan.getDroppedEventsCount());
        Span.Event retry = serverSpan.getEvents(0);
        assertEquals("retry", retry.getName());
        assertTrue(retry.getTimeUnixNano() >= serverStart && retry.getTimeUnixNano() <= after);
        Map<String, AnyValue> retryAttributes = attributes(retry.getAttributesList());
        assertEquals(2L, retryAttributes.get("attempt").getIntValue());
        assertEquals("timeout 超时", retryAttributes.get("reason").getStringValue());
        assertEquals(1, retry.getDroppedAttributesCount());
        assertEquals("second 🎉", serverSpan.getEvents(1).getName());
        assertEquals(0, serverSpan.getEvents(1).getAttributesCount());
        assertEquals(0, clientSpan.getEventsCount());

        // status
        assertEquals(Status.StatusCode.STATUS_CODE_ERROR, serverSpan.getStatus().getCode());
        assertEquals("boom 💥", serverSpan.getStatus().getMessage());
        assertFalse(clientSpan.hasStatus(), "UNSET without a message is left out");

        // flags: W3C flags in the low byte, "is-remote known" always, "is-remote" for a remote parent
        int hasIsRemote = SpanFlags.SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK_VALUE;
        int isRemote = SpanFlags.SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK_VALUE;
        assertEquals(0x01 | hasIsRemote, serverSpan.getFlags());
        assertEquals(0x01 | hasIsRemote, clientSpan.getFlags());
        assertEquals(0x01 | hasIsRemote | isRemote, remoteSpan.getFlags());

        // trace state only where there is one
        assertEquals("vendor=abc,other=x", remoteSpan.getTraceState());
        assertEquals("", serverSpan.getTraceState());
    }

    @Test
    void largeSpansAndBatchesAfterResetEncodeCorrectly() throws Exception {
        String large = "é".repeat(20_000); // 40,000 UTF-8 bytes: three-byte length prefixes at every level
        SpanSlot span = Tracer.startSpan(InstrumentationScope.MANUAL, SpanKind.INTERNAL, "large", null);
        span.setAttribute("payload", large);
        span.end();
        ExportTraceServiceRequest first = encodeAll(1);
        Span decoded = first.getResourceSpans(0).getScopeSpans(0).getSpans(0);
        assertEquals(large, decoded.getAttributes(0).getValue().getStringValue());

        encoder.reset();
        for (int i = 0; i < 3; i++) {
            Tracer.startSpan(InstrumentationScope.JDK_HTTP_CLIENT, SpanKind.CLIENT, "call " + i, null).end();
        }
        ExportTraceServiceRequest second = encodeAll(3);
        assertEquals(1, second.getResourceSpans(0).getScopeSpansCount(), "the previous batch's scope is gone");
        List<String> names = new ArrayList<>();
        second.getResourceSpans(0).getScopeSpans(0).getSpansList().forEach(s -> names.add(s.getName()));
        assertEquals(List.of("call 0", "call 1", "call 2"), names);
    }

    @Test
    void arrayAttributesAreArrayValuesOfTypedElements() throws Exception {
        SpanSlot span = Tracer.startSpan(InstrumentationScope.MANUAL, SpanKind.INTERNAL, "arrays", null);
        span.setAttribute("strings", new String[] {"a", null, "", "日本 🚀"})
            .setAttribute("longs", new long[] {0, 1, -1, 300, Long.MIN_VALUE, Long.MAX_VALUE})
            .setAttribute("doubles", new double[] {0.0, -2.5})
            .setAttribute("booleans", new boolean[] {false, true})
            .setAttribute("empty", new String[0])
            .setAttribute("large", new String[] {"é".repeat(100), "x".repeat(200)});
        span.addEvent("event");
        span.setEventAttribute("ids", new long[] {7}).setEventAttribute("ratio", 0.5);
        span.end();

        Span decoded = encodeAll(1).getResourceSpans(0).getScopeSpans(0).getSpans(0);
        Map<String, AnyValue> values = attributes(decoded.getAttributesList());
        // a null element is an empty string; every element, "" and 0 and false included, keeps its type
        assertEquals(List.of(string("a"), string(""), string(""), string("日本 🚀")), array(values.get("strings")));
        assertEquals(List.of(0L, 1L, -1L, 300L, Long.MIN_VALUE, Long.MAX_VALUE),
            array(values.get("longs")).stream().map(AnyValue::getIntValue).toList());
        assertTrue(array(values.get("longs")).stream().allMatch(v -> v.getValueCase() == AnyValue.ValueCase.INT_VALUE));
        assertEquals(List.of(AnyValue.newBuilder().setDoubleValue(0.0).build(),
            AnyValue.newBuilder().setDoubleValue(-2.5).build()), array(values.get("doubles")));
        assertEquals(List.of(AnyValue.newBuilder().setBoolValue(false).build(),
            AnyValue.newBuilder().setBoolValue(true).build()), array(values.get("booleans")));
        assertEquals(AnyValue.ValueCase.ARRAY_VALUE, values.get("empty").getValueCase());
        assertEquals(List.of(), array(values.get("empty")));
        assertEquals(List.of(string("é".repeat(100)), string("x".repeat(200))), array(values.get("large")));
        Map<String, AnyValue> eventValues = attributes(decoded.getEvents(0).getAttributesList());
        assertEquals(List.of(AnyValue.newBuilder().setIntValue(7).build()), array(eventValues.get("ids")));
        assertEquals(0.5, eventValues.get("ratio").getDoubleValue());
    }

    @Test
    void linksCarryIdsTraceStateFlagsAttributesAndDroppedCounts() throws Exception {
        tracing.close();
        tracing = TracingRing.install(new SpanLimits(6, 2, 2, 2, 2, Integer.MAX_VALUE));
        SpanSlot span = Tracer.startSpan(InstrumentationScope.MANUAL, SpanKind.CONSUMER, "process", null);
        assertTrue(span.addLink(0x4bf92f3577b34da6L, 0xa3ce929d0e0e4736L, 0x00f067aa0ba902b7L, 1, "vendor=abc", true));
        span.setLinkAttribute("messaging.message.id", "m-1").setLinkAttribute("offsets", new long[] {4, 5})
            .setLinkAttribute("over.limit", true);
        assertTrue(span.addLink(1, 2, 3, 0, null, false));
        span.setLinkAttribute("ratio", 0.25);
        assertFalse(span.addLink(4, 5, 6, 1, null, true), "over the link limit");
        span.end();

        Span decoded = encodeAll(1).getResourceSpans(0).getScopeSpans(0).getSpans(0);
        assertEquals(2, decoded.getLinksCount());
        assertEquals(1, decoded.getDroppedLinksCount());
        int hasIsRemote = SpanFlags.SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK_VALUE;
        int isRemote = SpanFlags.SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK_VALUE;

        Span.Link remote = decoded.getLinks(0);
        assertEquals(REMOTE_TRACE_ID, hex(remote.getTraceId()));
        assertEquals(REMOTE_PARENT_ID, hex(remote.getSpanId()));
        assertEquals("vendor=abc", remote.getTraceState());
        assertEquals(0x01 | hasIsRemote | isRemote, remote.getFlags());
        Map<String, AnyValue> remoteAttributes = attributes(remote.getAttributesList());
        assertEquals(2, remote.getAttributesCount());
        assertEquals("m-1", remoteAttributes.get("messaging.message.id").getStringValue());
        assertEquals(List.of(AnyValue.newBuilder().setIntValue(4).build(), AnyValue.newBuilder().setIntValue(5).build()),
            array(remoteAttributes.get("offsets")));
        assertEquals(1, remote.getDroppedAttributesCount());

        Span.Link local = decoded.getLinks(1);
        assertEquals(traceId(1, 2), local.getTraceId());
        assertEquals(spanId(3), local.getSpanId());
        assertEquals("", local.getTraceState());
        assertEquals(hasIsRemote, local.getFlags(), "not sampled, known to be local");
        assertEquals(0.25, attributes(local.getAttributesList()).get("ratio").getDoubleValue());
        assertEquals(0, local.getDroppedAttributesCount());
    }

    @Test
    void scopesRegisteredAfterTheEncoderWasBuiltAreExportedUnderTheirNameAndVersion() throws Exception {
        // the encoder was built in setUp: every scope here is registered after it
        int orders = InstrumentationScope.register("com.example.orders", "1.4.0");
        int unversioned = InstrumentationScope.register("com.example.unversioned", null);
        Tracer.startSpan(orders, SpanKind.INTERNAL, "place order", null).end();
        Tracer.startSpan(unversioned, SpanKind.INTERNAL, "plain", null).end();
        Tracer.startSpan(InstrumentationScope.JDBC, SpanKind.CLIENT, "SELECT", null).end();
        Map<String, ScopeSpans> scopes = scopesByName(encodeAll(3));
        assertEquals(3, scopes.size());
        assertEquals("1.4.0", scopes.get("com.example.orders").getScope().getVersion());
        assertEquals("place order", scopes.get("com.example.orders").getSpans(0).getName());
        assertEquals("", scopes.get("com.example.unversioned").getScope().getVersion());
        assertEquals(VERSION, scopes.get(InstrumentationScope.name(InstrumentationScope.JDBC)).getScope().getVersion(),
            "built-in scopes carry the agent's version");

        // an id nobody has registered yet goes to the unknown scope, and to its own once registered
        int next = InstrumentationScope.register("com.example.probe", null) + 1;
        encoder.reset();
        Tracer.startSpan(next, SpanKind.INTERNAL, "early", null).end();
        assertEquals(Map.of(InstrumentationScope.name(-1), 1), spanCounts(scopesByName(encodeAll(1))));
        assertEquals(next, InstrumentationScope.register("com.example.late", "2.0"));
        encoder.reset();
        Tracer.startSpan(next, SpanKind.INTERNAL, "late", null).end();
        Tracer.startSpan(orders, SpanKind.INTERNAL, "again", null).end();
        Map<String, ScopeSpans> late = scopesByName(encodeAll(2));
        assertEquals(Map.of("com.example.late", 1, "com.example.orders", 1), spanCounts(late));
        assertEquals("2.0", late.get("com.example.late").getScope().getVersion());
    }

    @Test
    void unknownScopeIdsAreExportedUnderTheUnknownScope() throws Exception {
        // the first id past every scope that can be registered
        int unknown = InstrumentationScope.count() + InstrumentationScope.MAX_REGISTERED;
        Tracer.startSpan(unknown, SpanKind.PRODUCER, "publish", null).end();
        ExportTraceServiceRequest request = encodeAll(1);
        ScopeSpans scopeSpans = request.getResourceSpans(0).getScopeSpans(0);
        assertEquals(InstrumentationScope.name(-1), scopeSpans.getScope().getName());
        assertEquals(Span.SpanKind.SPAN_KIND_PRODUCER, scopeSpans.getSpans(0).getKind());
    }

    private ExportTraceServiceRequest encodeAll(int expectedSpans) throws Exception {
        int read = tracing.drain(reader -> assertTrue(encoder.append(reader)));
        assertEquals(expectedSpans, read);
        assertEquals(expectedSpans, encoder.spanCount());
        int length = encoder.encodeRequest();
        return ExportTraceServiceRequest.parseFrom(Arrays.copyOf(encoder.requestArray(), length));
    }

    private static Map<String, ScopeSpans> scopesByName(ExportTraceServiceRequest request) {
        Map<String, ScopeSpans> scopes = new HashMap<>();
        for (ScopeSpans scopeSpans : request.getResourceSpans(0).getScopeSpansList()) {
            assertTrue(scopes.put(scopeSpans.getScope().getName(), scopeSpans) == null, "one ScopeSpans per scope");
        }
        return scopes;
    }

    private static Map<String, Integer> spanCounts(Map<String, ScopeSpans> scopes) {
        Map<String, Integer> counts = new HashMap<>();
        scopes.forEach((name, scopeSpans) -> counts.put(name, scopeSpans.getSpansCount()));
        return counts;
    }

    private static List<AnyValue> array(AnyValue value) {
        assertEquals(AnyValue.ValueCase.ARRAY_VALUE, value.getValueCase(), value.toString());
        ArrayValue array = value.getArrayValue();
        return array.getValuesList();
    }

    private static AnyValue string(String value) {
        return AnyValue.newBuilder().setStringValue(value).build();
    }

    private static Span byName(ScopeSpans scopeSpans, String name) {
        return scopeSpans.getSpansList().stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
    }

    private static Map<String, AnyValue> attributes(List<KeyValue> keyValues) {
        Map<String, AnyValue> map = new HashMap<>();
        for (KeyValue keyValue : keyValues) {
            map.put(keyValue.getKey(), keyValue.getValue());
        }
        return map;
    }

    private static ByteString traceId(long high, long low) {
        return ByteString.copyFrom(ByteBuffer.allocate(16).putLong(high).putLong(low).array());
    }

    private static ByteString spanId(long id) {
        return ByteString.copyFrom(ByteBuffer.allocate(8).putLong(id).array());
    }

    private static String hex(ByteString bytes) {
        StringBuilder hex = new StringBuilder();
        for (byte b : bytes.toByteArray()) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }
}
