package dev.plume.tests.otlp;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;

import java.util.HexFormat;
import java.util.Map;

/**
 * One span as a backend received it, together with the resource and scope it was exported under.
 *
 * @param proto    the span exactly as decoded
 * @param resource the resource of the enclosing {@code ResourceSpans}
 * @param scope    the instrumentation scope of the enclosing {@code ScopeSpans}
 */
public record ReceivedSpan(Span proto, Resource resource, InstrumentationScope scope) {

    public String name() {
        return proto.getName();
    }

    public Span.SpanKind kind() {
        return proto.getKind();
    }

    /** Lower-case hex, 32 characters for a well-formed id. */
    public String traceId() {
        return hex(proto.getTraceId());
    }

    /** Lower-case hex, 16 characters for a well-formed id. */
    public String spanId() {
        return hex(proto.getSpanId());
    }

    /** Lower-case hex, or the empty string for a root span. */
    public String parentSpanId() {
        return hex(proto.getParentSpanId());
    }

    public boolean isRoot() {
        return proto.getParentSpanId().isEmpty();
    }

    public Map<String, Object> attributes() {
        return OtlpAttributes.toMap(proto.getAttributesList());
    }

    /** The attribute's plain Java value (see {@link OtlpAttributes#toJava}), or {@code null} when absent. */
    public Object attribute(String key) {
        return attributes().get(key);
    }

    public Map<String, Object> resourceAttributes() {
        return OtlpAttributes.toMap(resource.getAttributesList());
    }

    public Status.StatusCode statusCode() {
        return proto.getStatus().getCode();
    }

    public long startNanos() {
        return proto.getStartTimeUnixNano();
    }

    public long endNanos() {
        return proto.getEndTimeUnixNano();
    }

    public static String hex(ByteString bytes) {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }

    @Override
    public String toString() {
        return kind() + " '" + name() + "' trace=" + traceId() + " span=" + spanId()
                + " parent=" + (isRoot() ? "-" : parentSpanId())
                + " status=" + statusCode() + " " + attributes();
    }
}
