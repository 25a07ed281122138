package dev.plume.bootstrap.trace;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * One span being recorded: a mutable, pooled holder that advice fills between start and end. At end the span is
 * encoded into the ring buffer and the slot goes back to its thread's pool, so steady state allocates nothing.
 * A slot is used by one thread at a time; detached slots (async spans) are not pooled and may end on any thread.
 *
 * <p>Array values ({@code String[]}, {@code long[]}, {@code double[]}, {@code boolean[]}) are held by reference until
 * the span ends: the caller hands over an array it no longer changes. A null element of a {@code String[]} is
 * recorded as an empty string, so the other elements keep their positions; the value length limit cuts each string.
 */
public final class SpanSlot {
    private static final int INITIAL_ATTRIBUTES = 16;
    private static final long[] NO_LONGS = new long[0];
    private static final int[] NO_INTS = new int[0];
    private static final String[] NO_STRINGS = new String[0];
    /** In {@link #linkFlags}: the linked context came from another process. */
    private static final int LINK_REMOTE = 0x100;
    private static final AttributeKey EXCEPTION_TYPE = AttributeKey.of("exception.type");
    private static final AttributeKey EXCEPTION_MESSAGE = AttributeKey.of("exception.message");
    private static final AttributeKey EXCEPTION_STACKTRACE = AttributeKey.of("exception.stacktrace");

    // identity
    long traceIdHigh;
    long traceIdLow;
    long spanId;
    long parentSpanId;
    int traceFlags;
    boolean parentRemote;
    String traceState;
    /** The W3C baggage of this span's context (the header value), carried to children and downstream; not exported. */
    String baggage;

    // description
    int scopeId;
    int kind;
    String name;
    String nameSuffix;
    long startEpochNanos;
    long endEpochNanos;
    int statusCode;
    String statusDescription;
    boolean recording;

    final AttributeList attributes = new AttributeList(INITIAL_ATTRIBUTES);
    final AttributeList eventAttributes = new AttributeList(4);
    String[] eventNames = new String[2];
    long[] eventTimes = new long[2];
    int[] eventAttributeStart = new int[2];
    int[] eventDroppedAttributes = new int[2];
    int eventCount;
    int droppedEvents;
    /** The last addEvent was dropped: event attributes set now belong to it, so they are ignored. */
    boolean lastEventDropped;

    // links, in columns like events; made on the first link, as most spans have none
    final AttributeList linkAttributes = new AttributeList(0);
    long[] linkTraceIdHigh = NO_LONGS;
    long[] linkTraceIdLow = NO_LONGS;
    long[] linkSpanId = NO_LONGS;
    /** The linked context's W3C trace flags, with {@link #LINK_REMOTE} above them. */
    int[] linkFlags = NO_INTS;
    String[] linkTraceState = NO_STRINGS;
    int[] linkAttributeStart = NO_INTS;
    int[] linkDroppedAttributes = NO_INTS;
    int linkCount;
    int droppedLinks;
    /** The last addLink was dropped: link attributes set now belong to it, so they are ignored. */
    boolean lastLinkDropped;

    /** The last exception recorded as an event, so a second report of the same one adds nothing. */
    Throwable recordedException;

    // life cycle
    final ThreadState owner;
    /** For a detached slot (no owner): 1 once ended, so that of two threads ending it at once one does. */
    volatile int detachedEnded;
    static final java.util.concurrent.atomic.AtomicIntegerFieldUpdater<SpanSlot> DETACHED_ENDED =
        java.util.concurrent.atomic.AtomicIntegerFieldUpdater.newUpdater(SpanSlot.class, "detachedEnded");
    SpanSlot previous;
    /** The snapshot hand-offs of this span share (null until the first; cleared when the slot starts a new span). */
    SpanContext handOffContext;
    /** Its number among the spans made current on its thread (ThreadState#begun), to tell which began in a call. */
    long beginSequence;
    boolean active;
    SpanLimits limits;

    SpanSlot(ThreadState owner) {
        this.owner = owner;
    }

    /** The owner's state when this thread is the owner (no lookup needed), or null (detached, or another thread). */
    ThreadState ownerHere() {
        ThreadState state = owner;
        return state != null && state.thread == Thread.currentThread() ? state : null;
    }

    void reset() {
        attributes.clear();
        eventAttributes.clear();
        for (int i = 0; i < eventCount; i++) {
            eventNames[i] = null;
        }
        eventCount = 0;
        droppedEvents = 0;
        lastEventDropped = false;
        if (linkCount > 0 || droppedLinks > 0 || lastLinkDropped) {
            linkAttributes.clear();
            for (int i = 0; i < linkCount; i++) {
                linkTraceState[i] = null;
            }
            linkCount = 0;
            droppedLinks = 0;
            lastLinkDropped = false;
        }
        traceState = null;
        baggage = null;
        // name and nameSuffix stay: the next start usually stores the same strings, and skips the store (Tracer.begin)
        statusCode = StatusCode.UNSET;
        statusDescription = null;
        recordedException = null;
        previous = null;
        parentSpanId = 0;
        parentRemote = false;
    }

    /** Whether attributes and events are kept (the span is sampled); unsampled spans only carry context. */
    public boolean isRecording() {
        return recording;
    }

    public SpanSlot setAttribute(String key, String value) {
        if (value != null) {
            put(key, AttributeType.STRING, value, 0);
        }
        return this;
    }

    public SpanSlot setAttribute(String key, long value) {
        put(key, AttributeType.LONG, null, value);
        return this;
    }

    public SpanSlot setAttribute(String key, double value) {
        put(key, AttributeType.DOUBLE, null, Double.doubleToRawLongBits(value));
        return this;
    }

    public SpanSlot setAttribute(String key, boolean value) {
        put(key, AttributeType.BOOLEAN, null, value ? 1 : 0);
        return this;
    }

    /** Sets a string attribute by a registered key: the record carries the key's id, not its bytes. */
    public SpanSlot setAttribute(AttributeKey key, String value) {
        if (key != null && value != null) {
            put(key, AttributeType.STRING, value, 0);
        }
        return this;
    }

    public SpanSlot setAttribute(AttributeKey key, long value) {
        if (key != null) {
            put(key, AttributeType.LONG, null, value);
        }
        return this;
    }

    public SpanSlot setAttribute(AttributeKey key, double value) {
        if (key != null) {
            put(key, AttributeType.DOUBLE, null, Double.doubleToRawLongBits(value));
        }
        return this;
    }

    public SpanSlot setAttribute(AttributeKey key, boolean value) {
        if (key != null) {
            put(key, AttributeType.BOOLEAN, null, value ? 1 : 0);
        }
        return this;
    }

    /** Sets a string array attribute; see the class comment for how the array is held. */
    public SpanSlot setAttribute(String key, String[] values) {
        return putArray(key, AttributeType.STRING_ARRAY, values);
    }

    public SpanSlot setAttribute(String key, long[] values) {
        return putArray(key, AttributeType.LONG_ARRAY, values);
    }

    public SpanSlot setAttribute(String key, double[] values) {
        return putArray(key, AttributeType.DOUBLE_ARRAY, values);
    }

    public SpanSlot setAttribute(String key, boolean[] values) {
        return putArray(key, AttributeType.BOOLEAN_ARRAY, values);
    }

    private void put(String key, byte type, String string, long bits) {
        if (recording && key != null) {
            attributes.put(0, limits.attributeCountLimit, key, key.hashCode(), -1, type, string, bits);
        }
    }

    private void put(AttributeKey key, byte type, String string, long bits) {
        if (recording) {
            attributes.put(0, limits.attributeCountLimit, key.name, key.hash, key.id, type, string, bits);
        }
    }

    private SpanSlot putArray(String key, byte type, Object values) {
        if (recording && key != null && values != null) {
            attributes.putArray(0, limits.attributeCountLimit, key, -1, type, values);
        }
        return this;
    }

    /** Replaces the span name; the name is written as {@code name + " " + suffix} when a suffix is given. */
    public SpanSlot setName(String name, String suffix) {
        if (name != null) {
            this.name = name;
            this.nameSuffix = suffix;
        }
        return this;
    }

    /** Sets the status; a description is kept only with ERROR, as the specification says. */
    public SpanSlot setStatus(int code, String description) {
        // OK is final and UNSET changes nothing, as the specification says.
        if (code == StatusCode.OK || (code == StatusCode.ERROR && statusCode != StatusCode.OK)) {
            statusCode = code;
            statusDescription = code == StatusCode.ERROR ? description : null;
        }
        return this;
    }

    public int statusCode() {
        return statusCode;
    }

    /**
     * Adds an event with no attributes; returns false when the event limit dropped it (event attributes set until the
     * next event are then ignored).
     */
    public boolean addEvent(String eventName) {
        return addEvent(eventName, EpochClock.nowEpochNanos());
    }

    /** Adds an event at the given time; returns false when the event limit dropped it. */
    public boolean addEvent(String eventName, long epochNanos) {
        if (!recording) {
            return false;
        }
        if (eventName == null) {
            lastEventDropped = true;
            return false;
        }
        if (eventCount >= limits.eventCountLimit) {
            droppedEvents++;
            lastEventDropped = true;
            return false;
        }
        lastEventDropped = false;
        if (eventCount == eventNames.length) {
            int capacity = eventNames.length * 2;
            eventNames = java.util.Arrays.copyOf(eventNames, capacity);
            eventTimes = java.util.Arrays.copyOf(eventTimes, capacity);
            eventAttributeStart = java.util.Arrays.copyOf(eventAttributeStart, capacity);
            eventDroppedAttributes = java.util.Arrays.copyOf(eventDroppedAttributes, capacity);
        }
        eventNames[eventCount] = eventName;
        eventTimes[eventCount] = epochNanos;
        eventAttributeStart[eventCount] = eventAttributes.count;
        eventDroppedAttributes[eventCount] = 0;
        eventCount++;
        return true;
    }

    /** Adds a string attribute to the most recent event. */
    public SpanSlot setEventAttribute(String key, String value) {
        if (recording && eventCount > 0 && !lastEventDropped && key != null && value != null) {
            putEventAttribute(key, -1, AttributeType.STRING, value, 0);
        }
        return this;
    }

    public SpanSlot setEventAttribute(String key, long value) {
        if (recording && eventCount > 0 && !lastEventDropped && key != null) {
            putEventAttribute(key, -1, AttributeType.LONG, null, value);
        }
        return this;
    }

    public SpanSlot setEventAttribute(String key, double value) {
        if (recording && eventCount > 0 && !lastEventDropped && key != null) {
            putEventAttribute(key, -1, AttributeType.DOUBLE, null, Double.doubleToRawLongBits(value));
        }
        return this;
    }

    public SpanSlot setEventAttribute(String key, boolean value) {
        if (recording && eventCount > 0 && !lastEventDropped && key != null) {
            putEventAttribute(key, -1, AttributeType.BOOLEAN, null, value ? 1 : 0);
        }
        return this;
    }

    public SpanSlot setEventAttribute(String key, String[] values) {
        return putEventArray(key, AttributeType.STRING_ARRAY, values);
    }

    public SpanSlot setEventAttribute(String key, long[] values) {
        return putEventArray(key, AttributeType.LONG_ARRAY, values);
    }

    public SpanSlot setEventAttribute(String key, double[] values) {
        return putEventArray(key, AttributeType.DOUBLE_ARRAY, values);
    }

    public SpanSlot setEventAttribute(String key, boolean[] values) {
        return putEventArray(key, AttributeType.BOOLEAN_ARRAY, values);
    }

    /** Adds a string attribute to the most recent event, by a registered key. */
    public SpanSlot setEventAttribute(AttributeKey key, String value) {
        if (recording && eventCount > 0 && !lastEventDropped && key != null && value != null) {
            putEventAttribute(key.name, key.id, AttributeType.STRING, value, 0);
        }
        return this;
    }

    private void putEventAttribute(String key, int keyId, byte type, String string, long bits) {
        int last = eventCount - 1;
        int before = eventAttributes.dropped;
        eventAttributes.put(eventAttributeStart[last], limits.eventAttributeCountLimit, key, key.hashCode(), keyId,
            type, string, bits);
        eventDroppedAttributes[last] += eventAttributes.dropped - before;
    }

    private SpanSlot putEventArray(String key, byte type, Object values) {
        if (recording && eventCount > 0 && !lastEventDropped && key != null && values != null) {
            int last = eventCount - 1;
            int before = eventAttributes.dropped;
            eventAttributes.putArray(eventAttributeStart[last], limits.eventAttributeCountLimit, key, -1, type, values);
            eventDroppedAttributes[last] += eventAttributes.dropped - before;
        }
        return this;
    }

    /**
     * Adds a link to another span's context. Returns false when the span is not recording, the context is invalid (a
     * zero trace or span id: ignored, as the OpenTelemetry SDK does) or the link limit dropped it (counted).
     */
    public boolean addLink(long traceIdHigh, long traceIdLow, long spanId, int traceFlags, String traceState,
                           boolean remote) {
        if (!recording) {
            return false;
        }
        boolean valid = (traceIdHigh | traceIdLow) != 0 && spanId != 0;
        if (!valid || linkCount >= limits.linkCountLimit) {
            if (valid) {
                droppedLinks++; // an invalid context is ignored, not counted
            }
            lastLinkDropped = true;
            return false;
        }
        lastLinkDropped = false;
        if (linkCount == linkSpanId.length) {
            growLinks();
        }
        linkTraceIdHigh[linkCount] = traceIdHigh;
        linkTraceIdLow[linkCount] = traceIdLow;
        linkSpanId[linkCount] = spanId;
        linkFlags[linkCount] = (traceFlags & 0xFF) | (remote ? LINK_REMOTE : 0);
        linkTraceState[linkCount] = traceState;
        linkAttributeStart[linkCount] = linkAttributes.count;
        linkDroppedAttributes[linkCount] = 0;
        linkCount++;
        return true;
    }

    private void growLinks() {
        int capacity = Math.max(2, linkSpanId.length * 2);
        linkTraceIdHigh = java.util.Arrays.copyOf(linkTraceIdHigh, capacity);
        linkTraceIdLow = java.util.Arrays.copyOf(linkTraceIdLow, capacity);
        linkSpanId = java.util.Arrays.copyOf(linkSpanId, capacity);
        linkFlags = java.util.Arrays.copyOf(linkFlags, capacity);
        linkTraceState = java.util.Arrays.copyOf(linkTraceState, capacity);
        linkAttributeStart = java.util.Arrays.copyOf(linkAttributeStart, capacity);
        linkDroppedAttributes = java.util.Arrays.copyOf(linkDroppedAttributes, capacity);
    }

    /** Adds a string attribute to the most recent link. */
    public SpanSlot setLinkAttribute(String key, String value) {
        if (value != null) {
            putLinkAttribute(key, AttributeType.STRING, value, 0);
        }
        return this;
    }

    public SpanSlot setLinkAttribute(String key, long value) {
        putLinkAttribute(key, AttributeType.LONG, null, value);
        return this;
    }

    public SpanSlot setLinkAttribute(String key, double value) {
        putLinkAttribute(key, AttributeType.DOUBLE, null, Double.doubleToRawLongBits(value));
        return this;
    }

    public SpanSlot setLinkAttribute(String key, boolean value) {
        putLinkAttribute(key, AttributeType.BOOLEAN, null, value ? 1 : 0);
        return this;
    }

    public SpanSlot setLinkAttribute(String key, String[] values) {
        return putLinkArray(key, AttributeType.STRING_ARRAY, values);
    }

    public SpanSlot setLinkAttribute(String key, long[] values) {
        return putLinkArray(key, AttributeType.LONG_ARRAY, values);
    }

    public SpanSlot setLinkAttribute(String key, double[] values) {
        return putLinkArray(key, AttributeType.DOUBLE_ARRAY, values);
    }

    public SpanSlot setLinkAttribute(String key, boolean[] values) {
        return putLinkArray(key, AttributeType.BOOLEAN_ARRAY, values);
    }

    private void putLinkAttribute(String key, byte type, String string, long bits) {
        if (recording && linkCount > 0 && !lastLinkDropped && key != null) {
            int last = linkCount - 1;
            int before = linkAttributes.dropped;
            linkAttributes.put(linkAttributeStart[last], limits.linkAttributeCountLimit, key, key.hashCode(), -1, type,
                string, bits);
            linkDroppedAttributes[last] += linkAttributes.dropped - before;
        }
    }

    private SpanSlot putLinkArray(String key, byte type, Object values) {
        if (recording && linkCount > 0 && !lastLinkDropped && key != null && values != null) {
            int last = linkCount - 1;
            int before = linkAttributes.dropped;
            linkAttributes.putArray(linkAttributeStart[last], limits.linkAttributeCountLimit, key, -1, type, values);
            linkDroppedAttributes[last] += linkAttributes.dropped - before;
        }
        return this;
    }

    /**
     * Records an {@code exception} event with the semantic-convention attributes. Rendering the stack trace allocates;
     * that is the price of an exception, never of a normal request.
     */
    public SpanSlot recordException(Throwable error) {
        return recordException(error, true);
    }

    /**
     * As {@link #recordException(Throwable)}; without messages, the event has no {@code exception.message} and the
     * stack trace names each exception's class only: a database's messages quote the failing query, values included.
     */
    public SpanSlot recordException(Throwable error, boolean withMessages) {
        if (!recording || error == null || error == recordedException) {
            return this; // the same exception seen twice (a framework first, then the container): one event
        }
        recordedException = error;
        if (addEvent("exception")) {
            setEventAttribute(EXCEPTION_TYPE, error.getClass().getName());
            String message = withMessages ? error.getMessage() : null;
            if (message != null) {
                setEventAttribute(EXCEPTION_MESSAGE, message);
            }
            setEventAttribute(EXCEPTION_STACKTRACE, withMessages ? stackTrace(error) : stackTraceWithoutMessages(error));
        }
        return this;
    }

    private static String stackTrace(Throwable error) {
        StringWriter trace = new StringWriter(512);
        error.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }

    private static String stackTraceWithoutMessages(Throwable error) {
        StringBuilder trace = new StringBuilder(512);
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable cause = error; cause != null && seen.add(cause); cause = cause.getCause()) {
            trace.append(cause == error ? "" : "Caused by: ").append(cause.getClass().getName()).append('\n');
            for (StackTraceElement frame : cause.getStackTrace()) {
                trace.append("\tat ").append(frame).append('\n');
            }
        }
        return trace.toString();
    }

    /** Ends the span now: restores the previous context, hands the record to the ring, returns the slot to its pool. */
    public void end() {
        end(EpochClock.nowEpochNanos());
    }

    public void end(long epochNanos) {
        if (!active || owner == null && !DETACHED_ENDED.compareAndSet(this, 0, 1)) {
            return; // a detached slot goes back to the shared pool once ended: only one end may do that
        }
        active = false;
        endEpochNanos = epochNanos;
        Tracer.finish(this);
    }

    /** The W3C baggage this span's context carries (a {@code baggage} header value), or null. */
    public String baggage() {
        return baggage;
    }

    /** The {@code traceparent} value to send to a downstream service on behalf of this span. */
    public String traceparent() {
        return W3cTraceContext.format(traceIdHigh, traceIdLow, spanId, traceFlags);
    }

    /** Captures this span's identity for a hand-off to another thread; one snapshot serves every hand-off of the span. */
    public SpanContext context() {
        SpanContext context = handOffContext;
        if (context == null) {
            context = new SpanContext(traceIdHigh, traceIdLow, spanId, traceFlags, traceState, false, baggage);
            handOffContext = context;
        }
        return context;
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

    public long parentSpanId() {
        return parentSpanId;
    }

    public int traceFlags() {
        return traceFlags;
    }

    public String traceState() {
        return traceState;
    }

    /**
     * The second part of the name ({@code METHOD route}), learned after the start (a framework that matched a route);
     * null leaves the name as it began.
     */
    public void setNameSuffix(String suffix) {
        if (nameSuffix != suffix) {
            nameSuffix = suffix;
        }
    }

    public int kind() {
        return kind;
    }

    public int scopeId() {
        return scopeId;
    }

    public String name() {
        return name;
    }

    public String nameSuffix() {
        return nameSuffix;
    }

    public long startEpochNanos() {
        return startEpochNanos;
    }

    public long endEpochNanos() {
        return endEpochNanos;
    }

    public String statusDescription() {
        return statusDescription;
    }

    public boolean isParentRemote() {
        return parentRemote;
    }

    public AttributeList attributes() {
        return attributes;
    }

    public AttributeList eventAttributes() {
        return eventAttributes;
    }

    public int eventCount() {
        return eventCount;
    }

    public String eventName(int i) {
        return eventNames[i];
    }

    public long eventTime(int i) {
        return eventTimes[i];
    }

    public int eventAttributeStart(int i) {
        return eventAttributeStart[i];
    }

    public int eventAttributeEnd(int i) {
        return i + 1 < eventCount ? eventAttributeStart[i + 1] : eventAttributes.count;
    }

    public int eventDroppedAttributes(int i) {
        return eventDroppedAttributes[i];
    }

    public int droppedAttributes() {
        return attributes.dropped;
    }

    public int droppedEvents() {
        return droppedEvents;
    }

    public AttributeList linkAttributes() {
        return linkAttributes;
    }

    public int linkCount() {
        return linkCount;
    }

    public long linkTraceIdHigh(int i) {
        return linkTraceIdHigh[i];
    }

    public long linkTraceIdLow(int i) {
        return linkTraceIdLow[i];
    }

    public long linkSpanId(int i) {
        return linkSpanId[i];
    }

    public int linkTraceFlags(int i) {
        return linkFlags[i] & 0xFF;
    }

    public boolean isLinkRemote(int i) {
        return (linkFlags[i] & LINK_REMOTE) != 0;
    }

    public String linkTraceState(int i) {
        return linkTraceState[i];
    }

    public int linkAttributeStart(int i) {
        return linkAttributeStart[i];
    }

    public int linkAttributeEnd(int i) {
        return i + 1 < linkCount ? linkAttributeStart[i + 1] : linkAttributes.count;
    }

    public int linkDroppedAttributes(int i) {
        return linkDroppedAttributes[i];
    }

    public int droppedLinks() {
        return droppedLinks;
    }

    public SpanLimits limits() {
        return limits;
    }
}
