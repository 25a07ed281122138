package dev.plume.export.otlp;

import dev.plume.bootstrap.record.SpanRecordReader;
import dev.plume.bootstrap.trace.AttributeType;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.export.resource.Resource;
import org.agrona.DirectBuffer;

import java.util.Arrays;
import java.util.Map;

import static dev.plume.export.otlp.ProtobufWriter.WIRE_I32;
import static dev.plume.export.otlp.ProtobufWriter.WIRE_I64;
import static dev.plume.export.otlp.ProtobufWriter.WIRE_LEN;
import static dev.plume.export.otlp.ProtobufWriter.WIRE_VARINT;

/**
 * Encodes span records into an OTLP {@code ExportTraceServiceRequest} (protobuf, hand-written: no protobuf runtime in
 * the agent). Each span is encoded straight from the record as it is read, UTF-8 bytes copied from the ring buffer,
 * into a reusable buffer of its instrumentation scope; {@link #encodeRequest()} then wraps the batch in one
 * {@code ResourceSpans} with one {@code ScopeSpans} per scope. A warm encoder allocates nothing per span.
 *
 * <p>Scopes registered at run time ({@link InstrumentationScope#register}) are looked up the first time one of their
 * spans arrives, whenever they were registered, and their {@code InstrumentationScope} block is encoded then, once.
 */
public final class OtlpTraceEncoder {
    // Field numbers from opentelemetry-proto: collector/trace/v1, trace/v1, common/v1, resource/v1.
    private static final int REQUEST_RESOURCE_SPANS = 1;
    private static final int RESOURCE_SPANS_RESOURCE = 1;
    private static final int RESOURCE_SPANS_SCOPE_SPANS = 2;
    private static final int SCOPE_SPANS_SCOPE = 1;
    private static final int SCOPE_SPANS_SPANS = 2;
    private static final int SCOPE_NAME = 1;
    private static final int SCOPE_VERSION = 2;
    private static final int RESOURCE_ATTRIBUTES = 1;

    private static final int SPAN_TRACE_ID = 1;
    private static final int SPAN_SPAN_ID = 2;
    private static final int SPAN_TRACE_STATE = 3;
    private static final int SPAN_PARENT_SPAN_ID = 4;
    private static final int SPAN_NAME = 5;
    private static final int SPAN_KIND = 6;
    private static final int SPAN_START_TIME = 7;
    private static final int SPAN_END_TIME = 8;
    private static final int SPAN_ATTRIBUTES = 9;
    private static final int SPAN_DROPPED_ATTRIBUTES = 10;
    private static final int SPAN_EVENTS = 11;
    private static final int SPAN_DROPPED_EVENTS = 12;
    private static final int SPAN_LINKS = 13;
    private static final int SPAN_DROPPED_LINKS = 14;
    private static final int SPAN_STATUS = 15;
    private static final int SPAN_FLAGS = 16;

    private static final int EVENT_TIME = 1;
    private static final int EVENT_NAME = 2;
    private static final int EVENT_ATTRIBUTES = 3;
    private static final int EVENT_DROPPED_ATTRIBUTES = 4;

    private static final int LINK_TRACE_ID = 1;
    private static final int LINK_SPAN_ID = 2;
    private static final int LINK_TRACE_STATE = 3;
    private static final int LINK_ATTRIBUTES = 4;
    private static final int LINK_DROPPED_ATTRIBUTES = 5;
    private static final int LINK_FLAGS = 6;

    private static final int STATUS_MESSAGE = 2;
    private static final int STATUS_CODE = 3;

    private static final int KEY_VALUE_KEY = 1;
    private static final int KEY_VALUE_VALUE = 2;
    private static final int ANY_VALUE_STRING = 1;
    private static final int ANY_VALUE_BOOL = 2;
    private static final int ANY_VALUE_INT = 3;
    private static final int ANY_VALUE_DOUBLE = 4;
    private static final int ANY_VALUE_ARRAY = 5;
    private static final int ARRAY_VALUE_VALUES = 1;

    // SpanFlags, for spans (parent is remote) and links (linked context is remote): the W3C trace flags in the low
    // byte; bit 8 says bit 9 (is remote) is known.
    static final int FLAGS_TRACE_FLAGS_MASK = 0xFF;
    static final int FLAGS_CONTEXT_HAS_IS_REMOTE = 0x100;
    static final int FLAGS_CONTEXT_IS_REMOTE = 0x200;

    private static final int INITIAL_SCOPE_CAPACITY = 64 << 10;
    /** A buffer that one unusually large batch grew beyond this goes back to its initial size after the batch. */
    private static final int SHRINK_ABOVE = 4 << 20;

    /** Every id a scope can have, built-in or registered; the index after them holds ids nobody registered. */
    private static final int UNKNOWN_SCOPE = InstrumentationScope.count() + InstrumentationScope.MAX_REGISTERED;

    private final byte[] resource;
    private final String agentVersion;
    /** The {@code InstrumentationScope} block by scope id; null for a registered scope until its first span. */
    private final byte[][] scopes = new byte[UNKNOWN_SCOPE + 1][];
    private final ProtobufWriter[] spansByScope = new ProtobufWriter[UNKNOWN_SCOPE + 1];
    private final ProtobufWriter request = new ProtobufWriter(INITIAL_SCOPE_CAPACITY);
    private int spanCount;
    private long spanBytes;

    /** @param agentVersion written as the version of the built-in scopes (may be null) */
    public OtlpTraceEncoder(Resource resource, String agentVersion) {
        this.resource = encodeResource(resource);
        this.agentVersion = agentVersion;
        for (int i = 0; i < InstrumentationScope.count(); i++) {
            scopes[i] = encodeScope(InstrumentationScope.name(i), agentVersion);
        }
        scopes[UNKNOWN_SCOPE] = encodeScope(InstrumentationScope.name(-1), agentVersion);
    }

    private static byte[] encodeScope(String name, String version) {
        ProtobufWriter scope = new ProtobufWriter(64);
        scope.string(SCOPE_NAME, name);
        if (version != null) {
            scope.string(SCOPE_VERSION, version);
        }
        return Arrays.copyOf(scope.array(), scope.position());
    }

    /** The index of the scope a span's id names; a registered scope's block is encoded on its first span. */
    private int scopeIndex(int scopeId) {
        if (scopeId >= 0 && scopeId < UNKNOWN_SCOPE && scopes[scopeId] != null) {
            return scopeId;
        }
        if (scopeId < 0 || scopeId >= UNKNOWN_SCOPE || !InstrumentationScope.isKnown(scopeId)) {
            return UNKNOWN_SCOPE; // not cached: an id registered later is looked up again
        }
        // registered ids are never reused, so the block stays right for the life of the process
        scopes[scopeId] = encodeScope(InstrumentationScope.name(scopeId), InstrumentationScope.version(scopeId));
        return scopeId;
    }

    /** The body of an OTLP {@code Resource} message; encoded once per process. */
    public static byte[] encodeResource(Resource resource) {
        ProtobufWriter out = new ProtobufWriter(1024);
        for (Map.Entry<String, Object> entry : resource.attributes().entrySet()) {
            int keyValue = out.beginMessage(RESOURCE_ATTRIBUTES);
            out.string(KEY_VALUE_KEY, entry.getKey());
            int anyValue = out.beginMessage(KEY_VALUE_VALUE);
            Object value = entry.getValue();
            if (value instanceof Long || value instanceof Integer) {
                out.tag(ANY_VALUE_INT, WIRE_VARINT);
                out.varint64(((Number) value).longValue());
            } else if (value instanceof Double) {
                out.tag(ANY_VALUE_DOUBLE, WIRE_I64);
                out.fixed64(Double.doubleToRawLongBits((Double) value));
            } else if (value instanceof Boolean) {
                out.tag(ANY_VALUE_BOOL, WIRE_VARINT);
                out.varint32((Boolean) value ? 1 : 0);
            } else {
                out.string(ANY_VALUE_STRING, String.valueOf(value));
            }
            out.endMessage(anyValue);
            out.endMessage(keyValue);
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    /** Adds one span to the batch; returns false (and leaves the batch as it was) when the record cannot be encoded. */
    public boolean append(SpanRecordReader span) {
        int scope = scopeIndex(span.scopeId());
        ProtobufWriter out = spansByScope[scope];
        if (out == null) {
            out = new ProtobufWriter(INITIAL_SCOPE_CAPACITY);
            spansByScope[scope] = out;
        }
        int rollback = out.position();
        try {
            encodeSpan(out, span);
        } catch (RuntimeException e) {
            out.truncate(rollback);
            return false;
        }
        spanCount++;
        spanBytes += out.position() - rollback;
        return true;
    }

    public int spanCount() {
        return spanCount;
    }

    /** The encoded size of the spans appended since the last {@link #reset()}, without the request's framing. */
    public long spanBytes() {
        return spanBytes;
    }

    /** Writes the request for the spans appended since the last {@link #reset()}; returns its length in bytes. */
    public int encodeRequest() {
        int length = requestLength();
        request.reset();
        int start = request.reserve(length); // may grow the array: read it after
        writeRequest(request.array(), start);
        return length;
    }

    /** The length of the request {@link #writeRequest} writes for the spans appended so far. */
    public int requestLength() {
        return fieldLength(resourceSpansLength());
    }

    /**
     * Writes the request for the spans appended since the last {@link #reset()} into {@code target} from
     * {@code offset} ({@link #requestLength()} bytes): the one copy of the spans' bytes a payload needs, straight into
     * the array that is sent.
     */
    public void writeRequest(byte[] target, int offset) {
        int at = offset;
        int resourceSpansLength = resourceSpansLength();
        target[at++] = (byte) ((REQUEST_RESOURCE_SPANS << 3) | WIRE_LEN);
        at = ProtobufWriter.putVarint32(target, at, resourceSpansLength);
        at = putField(target, at, RESOURCE_SPANS_RESOURCE, resource, resource.length);
        for (int s = 0; s < scopes.length; s++) {
            if (hasSpans(s)) {
                target[at++] = (byte) ((RESOURCE_SPANS_SCOPE_SPANS << 3) | WIRE_LEN);
                at = ProtobufWriter.putVarint32(target, at, scopeSpansLength(s));
                at = putField(target, at, SCOPE_SPANS_SCOPE, scopes[s], scopes[s].length);
                ProtobufWriter spans = spansByScope[s];
                System.arraycopy(spans.array(), 0, target, at, spans.position());
                at += spans.position();
            }
        }
    }

    private int resourceSpansLength() {
        int length = fieldLength(resource.length);
        for (int s = 0; s < scopes.length; s++) {
            if (hasSpans(s)) {
                length += fieldLength(scopeSpansLength(s));
            }
        }
        return length;
    }

    private static int putField(byte[] target, int at, int field, byte[] value, int length) {
        target[at++] = (byte) ((field << 3) | WIRE_LEN);
        at = ProtobufWriter.putVarint32(target, at, length);
        System.arraycopy(value, 0, target, at, length);
        return at + length;
    }

    /** The request written by {@link #encodeRequest()}, from index 0. */
    public byte[] requestArray() {
        return request.array();
    }

    /** Empties the batch, keeping the buffers for the next one. */
    public void reset() {
        spanCount = 0;
        spanBytes = 0;
        for (ProtobufWriter spans : spansByScope) {
            if (spans != null) {
                spans.reset();
                spans.shrinkTo(SHRINK_ABOVE);
            }
        }
        request.reset();
        request.shrinkTo(SHRINK_ABOVE);
    }

    private boolean hasSpans(int scope) {
        return spansByScope[scope] != null && spansByScope[scope].position() > 0;
    }

    private int scopeSpansLength(int scope) {
        return fieldLength(scopes[scope].length) + spansByScope[scope].position();
    }

    /** Length of a length-delimited field with a one-byte tag (every field number here is below 16). */
    private static int fieldLength(int length) {
        return 1 + ProtobufWriter.varintSize(length) + length;
    }

    private static void encodeSpan(ProtobufWriter out, SpanRecordReader span) {
        DirectBuffer buffer = span.buffer();
        int spanMark = out.beginMessage(SCOPE_SPANS_SPANS);

        out.tag(SPAN_TRACE_ID, WIRE_LEN);
        out.varint32(16);
        out.bigEndianLong(span.traceIdHigh());
        out.bigEndianLong(span.traceIdLow());
        out.tag(SPAN_SPAN_ID, WIRE_LEN);
        out.varint32(8);
        out.bigEndianLong(span.spanId());
        if (span.traceStateLength() > 0) {
            out.lengthDelimited(SPAN_TRACE_STATE, buffer, span.traceStateOffset(), span.traceStateLength());
        }
        long parentSpanId = span.parentSpanId();
        if (parentSpanId != 0) {
            out.tag(SPAN_PARENT_SPAN_ID, WIRE_LEN);
            out.varint32(8);
            out.bigEndianLong(parentSpanId);
        }
        if (span.nameLength() > 0) {
            out.lengthDelimited(SPAN_NAME, buffer, span.nameOffset(), span.nameLength());
        }
        if (span.kind() != 0) {
            out.tag(SPAN_KIND, WIRE_VARINT);
            out.varint32(span.kind());
        }
        out.tag(SPAN_START_TIME, WIRE_I64);
        out.fixed64(span.startEpochNanos());
        out.tag(SPAN_END_TIME, WIRE_I64);
        out.fixed64(span.endEpochNanos());

        for (int i = 0, count = span.attributeCount(); i < count; i++) {
            encodeAttribute(out, SPAN_ATTRIBUTES, span, buffer, i);
        }
        if (span.droppedAttributes() > 0) {
            out.tag(SPAN_DROPPED_ATTRIBUTES, WIRE_VARINT);
            out.varint32(span.droppedAttributes());
        }

        for (int e = 0, count = span.eventCount(); e < count; e++) {
            int eventMark = out.beginMessage(SPAN_EVENTS);
            out.tag(EVENT_TIME, WIRE_I64);
            out.fixed64(span.eventEpochNanos(e));
            if (span.eventNameLength(e) > 0) {
                out.lengthDelimited(EVENT_NAME, buffer, span.eventNameOffset(e), span.eventNameLength(e));
            }
            for (int i = span.eventAttributeStart(e), end = span.eventAttributeEnd(e); i < end; i++) {
                encodeAttribute(out, EVENT_ATTRIBUTES, span, buffer, i);
            }
            if (span.eventDroppedAttributes(e) > 0) {
                out.tag(EVENT_DROPPED_ATTRIBUTES, WIRE_VARINT);
                out.varint32(span.eventDroppedAttributes(e));
            }
            out.endMessage(eventMark);
        }
        if (span.droppedEvents() > 0) {
            out.tag(SPAN_DROPPED_EVENTS, WIRE_VARINT);
            out.varint32(span.droppedEvents());
        }

        for (int l = 0, count = span.linkCount(); l < count; l++) {
            encodeLink(out, span, buffer, l);
        }
        if (span.droppedLinks() > 0) {
            out.tag(SPAN_DROPPED_LINKS, WIRE_VARINT);
            out.varint32(span.droppedLinks());
        }

        int statusCode = span.statusCode();
        int descriptionLength = span.statusDescriptionLength();
        if (statusCode != 0 || descriptionLength > 0) {
            int statusMark = out.beginMessage(SPAN_STATUS);
            if (descriptionLength > 0) {
                out.lengthDelimited(STATUS_MESSAGE, buffer, span.statusDescriptionOffset(), descriptionLength);
            }
            if (statusCode != 0) {
                out.tag(STATUS_CODE, WIRE_VARINT);
                out.varint32(statusCode);
            }
            out.endMessage(statusMark);
        }

        int flags = (span.traceFlags() & FLAGS_TRACE_FLAGS_MASK) | FLAGS_CONTEXT_HAS_IS_REMOTE;
        if (span.isParentRemote()) {
            flags |= FLAGS_CONTEXT_IS_REMOTE;
        }
        out.tag(SPAN_FLAGS, WIRE_I32);
        out.fixed32(flags);

        out.endMessage(spanMark);
    }

    private static void encodeLink(ProtobufWriter out, SpanRecordReader span, DirectBuffer buffer, int l) {
        int linkMark = out.beginMessage(SPAN_LINKS);
        out.tag(LINK_TRACE_ID, WIRE_LEN);
        out.varint32(16);
        out.bigEndianLong(span.linkTraceIdHigh(l));
        out.bigEndianLong(span.linkTraceIdLow(l));
        out.tag(LINK_SPAN_ID, WIRE_LEN);
        out.varint32(8);
        out.bigEndianLong(span.linkSpanId(l));
        if (span.linkTraceStateLength(l) > 0) {
            out.lengthDelimited(LINK_TRACE_STATE, buffer, span.linkTraceStateOffset(l), span.linkTraceStateLength(l));
        }
        for (int i = span.linkAttributeStart(l), end = span.linkAttributeEnd(l); i < end; i++) {
            encodeAttribute(out, LINK_ATTRIBUTES, span, buffer, i);
        }
        if (span.linkDroppedAttributes(l) > 0) {
            out.tag(LINK_DROPPED_ATTRIBUTES, WIRE_VARINT);
            out.varint32(span.linkDroppedAttributes(l));
        }
        int flags = (span.linkTraceFlags(l) & FLAGS_TRACE_FLAGS_MASK) | FLAGS_CONTEXT_HAS_IS_REMOTE;
        if (span.isLinkRemote(l)) {
            flags |= FLAGS_CONTEXT_IS_REMOTE;
        }
        out.tag(LINK_FLAGS, WIRE_I32);
        out.fixed32(flags);
        out.endMessage(linkMark);
    }

    /**
     * A {@code KeyValue}; the {@code AnyValue} field is written even for "", 0 and false, so its type is kept. A
     * scalar's lengths are known before anything is written: its room is made once and the bytes go straight into the
     * array, with exact length prefixes (every tag here is one byte: field numbers below 16). Arrays take the reserve.
     */
    private static void encodeAttribute(ProtobufWriter out, int field, SpanRecordReader span, DirectBuffer buffer,
                                        int i) {
        byte type = span.attributeType(i);
        int valueLength;
        int stringLength = 0;
        long bits = 0;
        switch (type) {
            case AttributeType.STRING -> {
                stringLength = span.attributeStringLength(i);
                valueLength = fieldLength(stringLength);
            }
            case AttributeType.LONG -> {
                bits = span.attributeLong(i);
                valueLength = 1 + varint64Size(bits);
            }
            case AttributeType.DOUBLE -> {
                bits = Double.doubleToRawLongBits(span.attributeDouble(i));
                valueLength = 1 + 8;
            }
            case AttributeType.BOOLEAN -> {
                bits = span.attributeBoolean(i) ? 1 : 0;
                valueLength = 1 + 1;
            }
            default -> {
                encodeAttributeWithReserve(out, field, span, buffer, i);
                return;
            }
        }
        DirectBuffer keyBuffer = span.attributeKeyBuffer(i);
        int keyOffset = span.attributeKeyOffset(i);
        int keyLength = span.attributeKeyLength(i);
        int keyValueLength = fieldLength(keyLength) + fieldLength(valueLength);
        int at = out.reserve(fieldLength(keyValueLength));
        byte[] bytes = out.array();
        bytes[at++] = (byte) ((field << 3) | WIRE_LEN);
        at = ProtobufWriter.putVarint32(bytes, at, keyValueLength);
        bytes[at++] = (byte) ((KEY_VALUE_KEY << 3) | WIRE_LEN);
        at = ProtobufWriter.putVarint32(bytes, at, keyLength);
        keyBuffer.getBytes(keyOffset, bytes, at, keyLength);
        at += keyLength;
        bytes[at++] = (byte) ((KEY_VALUE_VALUE << 3) | WIRE_LEN);
        at = ProtobufWriter.putVarint32(bytes, at, valueLength);
        switch (type) {
            case AttributeType.STRING -> {
                bytes[at++] = (byte) ((ANY_VALUE_STRING << 3) | WIRE_LEN);
                at = ProtobufWriter.putVarint32(bytes, at, stringLength);
                buffer.getBytes(span.attributeStringOffset(i), bytes, at, stringLength);
            }
            case AttributeType.LONG -> {
                bytes[at++] = (byte) ((ANY_VALUE_INT << 3) | WIRE_VARINT);
                ProtobufWriter.putVarint64(bytes, at, bits);
            }
            case AttributeType.DOUBLE -> {
                bytes[at++] = (byte) ((ANY_VALUE_DOUBLE << 3) | WIRE_I64);
                ProtobufWriter.putFixed64(bytes, at, bits);
            }
            default -> {
                bytes[at++] = (byte) ((ANY_VALUE_BOOL << 3) | WIRE_VARINT);
                bytes[at] = (byte) bits;
            }
        }
    }

    private static void encodeAttributeWithReserve(ProtobufWriter out, int field, SpanRecordReader span,
                                                   DirectBuffer buffer, int i) {
        int keyValueMark = out.beginMessage(field);
        out.lengthDelimited(KEY_VALUE_KEY, span.attributeKeyBuffer(i), span.attributeKeyOffset(i),
            span.attributeKeyLength(i));
        int anyValueMark = out.beginMessage(KEY_VALUE_VALUE);
        switch (span.attributeType(i)) {
            case AttributeType.STRING_ARRAY, AttributeType.LONG_ARRAY, AttributeType.DOUBLE_ARRAY,
                 AttributeType.BOOLEAN_ARRAY -> encodeArray(out, span, buffer, i);
            default -> throw new IllegalStateException("unknown attribute type " + span.attributeType(i));
        }
        out.endMessage(anyValueMark);
        out.endMessage(keyValueMark);
    }

    /**
     * An {@code ArrayValue} of one {@code AnyValue} per element, each typed as the scalar would be (an empty string
     * stays a string). Each element's length is known before it is written, so no element needs a length reserve.
     */
    private static void encodeArray(ProtobufWriter out, SpanRecordReader span, DirectBuffer buffer, int i) {
        int arrayMark = out.beginMessage(ANY_VALUE_ARRAY);
        int count = span.attributeArrayLength(i);
        switch (span.attributeType(i)) {
            case AttributeType.STRING_ARRAY -> {
                for (int j = 0, position = span.attributeFirstElement(i); j < count; j++) {
                    int length = span.elementStringLength(position);
                    out.tag(ARRAY_VALUE_VALUES, WIRE_LEN);
                    out.varint32(1 + ProtobufWriter.varintSize(length) + length);
                    out.lengthDelimited(ANY_VALUE_STRING, buffer, span.elementStringOffset(position), length);
                    position = span.nextStringElement(position);
                }
            }
            case AttributeType.LONG_ARRAY -> {
                for (int j = 0; j < count; j++) {
                    long value = span.attributeLongElement(i, j);
                    out.tag(ARRAY_VALUE_VALUES, WIRE_LEN);
                    out.varint32(1 + varint64Size(value));
                    out.tag(ANY_VALUE_INT, WIRE_VARINT);
                    out.varint64(value);
                }
            }
            case AttributeType.DOUBLE_ARRAY -> {
                for (int j = 0; j < count; j++) {
                    out.tag(ARRAY_VALUE_VALUES, WIRE_LEN);
                    out.varint32(1 + 8);
                    out.tag(ANY_VALUE_DOUBLE, WIRE_I64);
                    out.fixed64(Double.doubleToRawLongBits(span.attributeDoubleElement(i, j)));
                }
            }
            default -> {
                for (int j = 0; j < count; j++) {
                    out.tag(ARRAY_VALUE_VALUES, WIRE_LEN);
                    out.varint32(1 + 1);
                    out.tag(ANY_VALUE_BOOL, WIRE_VARINT);
                    out.varint32(span.attributeBooleanElement(i, j) ? 1 : 0);
                }
            }
        }
        out.endMessage(arrayMark);
    }

    /** Bytes of a 64-bit varint: seven bits a byte, ten for a negative value. */
    private static int varint64Size(long value) {
        return value == 0 ? 1 : (63 - Long.numberOfLeadingZeros(value)) / 7 + 1;
    }
}
