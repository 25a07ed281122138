package dev.plume.export.console;

import dev.plume.bootstrap.record.SpanRecordReader;
import dev.plume.bootstrap.trace.AttributeType;

/**
 * A span copied out of the ring for the console, which holds spans until their trace's root arrives.
 *
 * @param httpStatus the {@code http.response.status_code} attribute as text, or null
 * @param urlPath    the {@code url.path} attribute, or null
 */
public record ConsoleSpan(long traceIdHigh, long traceIdLow, long spanId, long parentSpanId, boolean parentRemote,
                          String name, int kind, long startEpochNanos, long endEpochNanos, int statusCode,
                          String httpStatus, String urlPath) {

    /** The first span of the trace in this process: it has no parent, or its parent is in another process. */
    public boolean isLocalRoot() {
        return parentSpanId == 0 || parentRemote;
    }

    public long durationNanos() {
        return Math.max(0, endEpochNanos - startEpochNanos);
    }

    /** Copies what the console shows; allocates, which is acceptable for a development aid. */
    public static ConsoleSpan from(SpanRecordReader span) {
        String httpStatus = null;
        String urlPath = null;
        for (int i = 0, count = span.attributeCount(); i < count; i++) {
            String key = span.attributeKey(i);
            if (key.equals("http.response.status_code")) {
                httpStatus = span.attributeType(i) == AttributeType.STRING
                    ? span.attributeString(i) : String.valueOf(span.attributeValue(i));
            } else if (key.equals("url.path") && span.attributeType(i) == AttributeType.STRING) {
                urlPath = span.attributeString(i);
            }
        }
        return new ConsoleSpan(span.traceIdHigh(), span.traceIdLow(), span.spanId(), span.parentSpanId(),
            span.isParentRemote(), span.name(), span.kind(), span.startEpochNanos(), span.endEpochNanos(),
            span.statusCode(), httpStatus, urlPath);
    }
}
