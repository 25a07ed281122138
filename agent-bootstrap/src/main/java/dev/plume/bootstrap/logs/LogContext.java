package dev.plume.bootstrap.logs;

import dev.plume.bootstrap.context.ContextCarrier;
import dev.plume.bootstrap.trace.SpanContext;
import dev.plume.bootstrap.trace.Tracer;
import dev.plume.bootstrap.trace.W3cTraceContext;

import java.util.HashMap;
import java.util.Map;

/**
 * Log correlation: a log event made while a span is current carries that span's ids in its MDC, under the
 * OpenTelemetry agent's keys ({@code trace_id}, {@code span_id}, {@code trace_flags}, each configurable with
 * {@code otel.instrumentation.common.logging.*}). The context is taken when the event is made, on the thread that
 * logs (an asynchronous appender formats it later, elsewhere), and kept in the agent's field of the event; the MDC
 * map the logging library hands out is the library's own plus those three entries, made once per event. Nothing is
 * put into the thread's MDC, so nothing is left behind there when the span ends.
 */
public final class LogContext {
    private static volatile String traceIdKey = "trace_id";
    private static volatile String spanIdKey = "span_id";
    private static volatile String traceFlagsKey = "trace_flags";

    private LogContext() {
    }

    /** The MDC keys ({@code otel.instrumentation.common.logging.trace-id}, {@code .span-id}, {@code .trace-flags}). */
    public static void keys(String traceId, String spanId, String traceFlags) {
        traceIdKey = traceId;
        spanIdKey = spanId;
        traceFlagsKey = traceFlags;
    }

    /** A log event was made on this thread: it remembers the current context, if there is one. */
    public static void capture(Object event) {
        if (!(event instanceof ContextCarrier)) {
            return;
        }
        SpanContext context = Tracer.captureContext();
        if (context != null && context != SpanContext.SUPPRESSED && context.spanId() != 0) {
            ((ContextCarrier) event).plume$setContext(context);
        }
    }

    /**
     * The current context's ids as MDC entries ({@code key, value, key, value, key, value}), or null when no span is
     * current: for libraries that read the context when the event is made (Log4j 2's context data).
     */
    public static String[] currentEntries() {
        SpanContext context = Tracer.captureContext();
        if (context == null || context == SpanContext.SUPPRESSED || context.spanId() == 0) {
            return null;
        }
        return new String[] {traceIdKey, W3cTraceContext.traceIdHex(context.traceIdHigh(), context.traceIdLow()),
            spanIdKey, W3cTraceContext.spanIdHex(context.spanId()), traceFlagsKey, flags(context)};
    }

    /** The current span's value for one of the three keys, or null (another key, or no span current). */
    public static String currentValue(String key) {
        if (key == null || !(key.equals(traceIdKey) || key.equals(spanIdKey) || key.equals(traceFlagsKey))) {
            return null;
        }
        String[] entries = currentEntries();
        if (entries != null) {
            for (int i = 0; i < entries.length; i += 2) {
                if (entries[i].equals(key)) {
                    return entries[i + 1];
                }
            }
        }
        return null;
    }

    /**
     * A copy of an MDC map (the caller's to keep) with the current span's ids added where the map has no value for
     * them; {@code copy} itself when no span is current.
     */
    public static Map<String, String> withCurrentIds(Map<String, String> copy) {
        String[] entries = currentEntries();
        if (entries == null) {
            return copy;
        }
        Map<String, String> result = copy != null ? copy : new HashMap<>(4);
        for (int i = 0; i < entries.length; i += 2) {
            result.putIfAbsent(entries[i], entries[i + 1]);
        }
        return result;
    }

    private static String flags(SpanContext context) {
        int flags = context.traceFlags() & 0xff;
        return flags < 0x10 ? "0" + Integer.toHexString(flags) : Integer.toHexString(flags);
    }

    /**
     * The MDC map of an event: {@code mdc} as the library made it, plus the ids of the context the event remembered
     * (the same map object on later calls); {@code mdc} itself when it remembered none.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, String> withTraceIds(Object event, Map<String, String> mdc) {
        if (!(event instanceof ContextCarrier)) {
            return mdc;
        }
        ContextCarrier carrier = (ContextCarrier) event;
        Object carried = carrier.plume$getContext();
        if (carried instanceof Map) {
            return (Map<String, String>) carried;
        }
        if (!(carried instanceof SpanContext)) {
            return mdc;
        }
        SpanContext context = (SpanContext) carried;
        Map<String, String> augmented = mdc == null ? new HashMap<>(4) : new HashMap<>(mdc);
        augmented.put(traceIdKey, W3cTraceContext.traceIdHex(context.traceIdHigh(), context.traceIdLow()));
        augmented.put(spanIdKey, W3cTraceContext.spanIdHex(context.spanId()));
        augmented.put(traceFlagsKey, flags(context));
        carrier.plume$setContext(augmented);
        return augmented;
    }
}
