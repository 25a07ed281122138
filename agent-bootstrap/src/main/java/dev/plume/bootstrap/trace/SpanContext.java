package dev.plume.bootstrap.trace;

/**
 * An immutable snapshot of a span's identity, captured to hand a context to another thread (executors, async
 * callbacks). Only the hand-off allocates it; spans on one thread never do.
 */
public final class SpanContext {
    /**
     * Attached where nothing may be traced (an ignored request path): spans started under it are not started, and
     * hand-offs carry it on, so the work that request causes propagates nothing.
     */
    public static final SpanContext SUPPRESSED = new SpanContext(0, 0, 0, 0, null, false);

    final long traceIdHigh;
    final long traceIdLow;
    final long spanId;
    final int traceFlags;
    final String traceState;
    final boolean remote;
    /** W3C baggage (a {@code baggage} header value), or null. */
    final String baggage;
    /**
     * The OpenTelemetry API span this is the context of, when the application made one current (the API bridge's
     * object, held so that the span a hand-off carries to another thread is the same one there), or null.
     */
    final Object apiSpan;

    public SpanContext(long traceIdHigh, long traceIdLow, long spanId, int traceFlags, String traceState,
                       boolean remote) {
        this(traceIdHigh, traceIdLow, spanId, traceFlags, traceState, remote, null);
    }

    public SpanContext(long traceIdHigh, long traceIdLow, long spanId, int traceFlags, String traceState,
                       boolean remote, String baggage) {
        this(traceIdHigh, traceIdLow, spanId, traceFlags, traceState, remote, baggage, null);
    }

    public SpanContext(long traceIdHigh, long traceIdLow, long spanId, int traceFlags, String traceState,
                       boolean remote, String baggage, Object apiSpan) {
        this.apiSpan = apiSpan;
        this.baggage = baggage;
        this.traceIdHigh = traceIdHigh;
        this.traceIdLow = traceIdLow;
        this.spanId = spanId;
        this.traceFlags = traceFlags;
        this.traceState = traceState;
        this.remote = remote;
    }

    public long traceIdHigh() {
        return traceIdHigh;
    }

    public long traceIdLow() {
        return traceIdLow;
    }

    public long spanId() {
        return spanId;
    }

    public int traceFlags() {
        return traceFlags;
    }

    public String traceState() {
        return traceState;
    }

    public String baggage() {
        return baggage;
    }

    /** The OpenTelemetry API span this context belongs to, or null (see the field). */
    public Object apiSpan() {
        return apiSpan;
    }

    public boolean isRemote() {
        return remote;
    }

    public boolean isSampled() {
        return (traceFlags & W3cTraceContext.FLAG_SAMPLED) != 0;
    }

    /** The W3C {@code traceparent} header value for this context. */
    public String traceparent() {
        return W3cTraceContext.format(traceIdHigh, traceIdLow, spanId, traceFlags);
    }
}
