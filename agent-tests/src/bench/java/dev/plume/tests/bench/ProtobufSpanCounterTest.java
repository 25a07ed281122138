package dev.plume.tests.bench;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The pipeline ceiling is only as true as the receiver's count: it must count spans as a protobuf decoder would. */
class ProtobufSpanCounterTest {

    @Test
    void countsSpansAcrossResourcesAndScopes() {
        ExportTraceServiceRequest request = ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(resourceSpans(3, 2))
                .addResourceSpans(resourceSpans(1, 5))
                .build();

        assertEquals(11, ProtobufSpanCounter.count(request.toByteArray()));
    }

    @Test
    void countsNothingInAnEmptyRequest() {
        assertEquals(0, ProtobufSpanCounter.count(new byte[0]));
    }

    @Test
    void rejectsATruncatedRequest() {
        byte[] bytes = ExportTraceServiceRequest.newBuilder().addResourceSpans(resourceSpans(2, 2)).build()
                .toByteArray();

        assertThrows(RuntimeException.class,
                () -> ProtobufSpanCounter.count(Arrays.copyOf(bytes, bytes.length - 7)));
    }

    private static ResourceSpans resourceSpans(int... spansPerScope) {
        ResourceSpans.Builder resource = ResourceSpans.newBuilder().setResource(Resource.newBuilder()
                .addAttributes(KeyValue.newBuilder().setKey("service.name")
                        .setValue(AnyValue.newBuilder().setStringValue("bench"))));
        for (int scope = 0; scope < spansPerScope.length; scope++) {
            ScopeSpans.Builder scopeSpans = ScopeSpans.newBuilder()
                    .setScope(InstrumentationScope.newBuilder().setName("scope-" + scope).setVersion("1"));
            for (int i = 0; i < spansPerScope[scope]; i++) {
                scopeSpans.addSpans(Span.newBuilder()
                        .setTraceId(ByteString.copyFrom(new byte[16]))
                        .setSpanId(ByteString.copyFrom(new byte[8]))
                        .setName("GET /users/{id}")
                        .setKind(Span.SpanKind.SPAN_KIND_SERVER)
                        .setStartTimeUnixNano(1_700_000_000_000_000_000L + i)
                        .setEndTimeUnixNano(1_700_000_000_000_100_000L + i)
                        .addAttributes(KeyValue.newBuilder().setKey("http.response.status_code")
                                .setValue(AnyValue.newBuilder().setIntValue(200))));
            }
            resource.addScopeSpans(scopeSpans);
        }
        return resource.build();
    }
}
