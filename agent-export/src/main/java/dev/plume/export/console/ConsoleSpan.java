package dev.plume.export.console;

import dev.plume.bootstrap.record.SpanRecordReader;
import dev.plume.bootstrap.trace.AttributeType;
import dev.plume.bootstrap.trace.W3cTraceContext;

import java.util.ArrayList;
import java.util.List;

/**
 * A span copied out of the ring for the console, which holds spans until their trace's root arrives.
 *
 * @param httpStatus the {@code http.response.status_code} attribute as text (an array as {@code [a, b]}), or null
 * @param urlPath    the {@code url.path} attribute, or null
 * @param links      the linked contexts as {@code traceId-spanId} in hex, in the order they were added
 * @param linkCount  links on the span, those the record dropped included
 */
public record ConsoleSpan(long traceIdHigh, long traceIdLow, long spanId, long parentSpanId, boolean parentRemote,
                          String name, int kind, long startEpochNanos, long endEpochNanos, int statusCode,
                          String httpStatus, String urlPath, List<String> links, int linkCount) {

    /** A span without links. */
    public ConsoleSpan(long traceIdHigh, long traceIdLow, long spanId, long parentSpanId, boolean parentRemote,
                       String name, int kind, long startEpochNanos, long endEpochNanos, int statusCode,
                       String httpStatus, String urlPath) {
        this(traceIdHigh, traceIdLow, spanId, parentSpanId, parentRemote, name, kind, startEpochNanos, endEpochNanos,
            statusCode, httpStatus, urlPath, List.of(), 0);
    }

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
                // a List's text for an array value: [a, b]
                httpStatus = span.attributeType(i) == AttributeType.STRING
                    ? span.attributeString(i) : String.valueOf(span.attributeValue(i));
            } else if (key.equals("url.path") && span.attributeType(i) == AttributeType.STRING) {
                urlPath = span.attributeString(i);
            }
        }
        List<String> links = new ArrayList<>(span.linkCount());
        for (int l = 0; l < span.linkCount(); l++) {
            links.add(W3cTraceContext.traceIdHex(span.linkTraceIdHigh(l), span.linkTraceIdLow(l)) + "-"
                + W3cTraceContext.spanIdHex(span.linkSpanId(l)));
        }
        return new ConsoleSpan(span.traceIdHigh(), span.traceIdLow(), span.spanId(), span.parentSpanId(),
            span.isParentRemote(), span.name(), span.kind(), span.startEpochNanos(), span.endEpochNanos(),
            span.statusCode(), httpStatus, urlPath, List.copyOf(links), links.size() + span.droppedLinks());
    }
}
