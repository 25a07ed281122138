package dev.plume.bootstrap.record;

import dev.plume.bootstrap.trace.AttributeType;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.plume.bootstrap.record.SpanRecordCodec.*;

/**
 * A reusable flyweight over one span record, for the exporter thread. {@link #wrap} indexes the record's variable
 * part once; the getters then read straight from the buffer. Strings are exposed as (offset, length) of their UTF-8
 * bytes so an encoder can copy them without decoding (a registered key's bytes are in the key table's buffer, see
 * {@link #attributeKeyBuffer}); the {@code String} getters allocate and are for tests and the
 * console exporter.
 *
 * <p>Attributes are numbered across the record: the span's own are {@code [0, attributeCount())}, event {@code e}'s
 * are {@code [eventAttributeStart(e), eventAttributeEnd(e))}, link {@code l}'s {@code [linkAttributeStart(l),
 * linkAttributeEnd(l))}.
 *
 * <p>An array value's numbers are read by index ({@link #attributeLongElement}); its strings by walking positions:
 * {@link #attributeFirstElement}, then {@link #nextStringElement}, each position giving
 * {@link #elementStringOffset} and {@link #elementStringLength}.
 */
public final class SpanRecordReader {
    private DirectBuffer buffer;
    /** The buffer's array (null off-heap) and address, for reads that {@link #wrap} has checked are in the record. */
    private Object base;
    private long address;
    private int offset;
    private int length;

    private int nameOffset;
    private int traceStateOffset;
    private int statusDescriptionOffset;
    private int spanAttributeCount;
    private int totalAttributes;
    private int[] keyOffsets = new int[32];
    private int[] valueOffsets = new int[32];
    private int eventCount;
    private int[] eventOffsets = new int[4];
    private int[] eventAttributeStarts = new int[5];
    private int linkCount;
    private int[] linkOffsets = new int[2];
    private int[] linkAttributeStarts = new int[3];

    /** Points this reader at a record; throws {@link IllegalStateException} when the record is malformed. */
    public SpanRecordReader wrap(DirectBuffer buffer, int offset, int length) {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        if (length < HEADER_LENGTH) {
            throw new IllegalStateException("span record too short: " + length);
        }
        if (offset < 0 || length > buffer.capacity() - offset) {
            throw new IllegalStateException("span record of " + length + " bytes at " + offset + " outside a buffer of "
                + buffer.capacity());
        }
        base = buffer.byteArray();
        address = buffer.addressOffset();
        int end = offset + length;
        int index = offset + HEADER_LENGTH;
        nameOffset = index;
        index = skipString(index, end);
        traceStateOffset = index;
        index = skipString(index, end);
        statusDescriptionOffset = index;
        index = skipString(index, end);
        spanAttributeCount = getShort(offset + ATTRIBUTE_COUNT) & 0xFFFF;
        totalAttributes = 0;
        for (int i = 0; i < spanAttributeCount; i++) {
            index = indexAttribute(index, end);
        }
        eventCount = getShort(offset + EVENT_COUNT) & 0xFFFF;
        if (eventOffsets.length < eventCount) {
            eventOffsets = new int[eventCount];
            eventAttributeStarts = new int[eventCount + 1];
        }
        for (int e = 0; e < eventCount; e++) {
            eventOffsets[e] = index;
            index = skipString(index + 8, end);
            check(index + 6, end);
            int count = getShort(index) & 0xFFFF;
            index += 6;
            eventAttributeStarts[e] = totalAttributes;
            for (int i = 0; i < count; i++) {
                index = indexAttribute(index, end);
            }
        }
        eventAttributeStarts[eventCount] = totalAttributes;
        linkCount = getShort(offset + LINK_COUNT) & 0xFFFF;
        if (linkOffsets.length < linkCount) {
            linkOffsets = new int[linkCount];
            linkAttributeStarts = new int[linkCount + 1];
        }
        for (int l = 0; l < linkCount; l++) {
            linkOffsets[l] = index;
            index = skipString(check(index + LINK_TRACE_STATE, end), end);
            check(index + 6, end);
            int count = getShort(index) & 0xFFFF;
            index += 6;
            linkAttributeStarts[l] = totalAttributes;
            for (int i = 0; i < count; i++) {
                index = indexAttribute(index, end);
            }
        }
        linkAttributeStarts[linkCount] = totalAttributes;
        return this;
    }

    private int indexAttribute(int index, int end) {
        if (totalAttributes == keyOffsets.length) {
            keyOffsets = Arrays.copyOf(keyOffsets, totalAttributes * 2);
            valueOffsets = Arrays.copyOf(valueOffsets, totalAttributes * 2);
        }
        keyOffsets[totalAttributes] = index;
        index = skipKey(index, end);
        check(index + 1, end);
        byte type = getByte(index);
        valueOffsets[totalAttributes] = index + 1;
        totalAttributes++;
        return switch (type) {
            case AttributeType.STRING -> skipString(index + 1, end);
            case AttributeType.BOOLEAN -> check(index + 2, end);
            case AttributeType.LONG, AttributeType.DOUBLE -> check(index + 9, end);
            case AttributeType.STRING_ARRAY -> {
                int element = index + 5;
                for (int j = 0, count = arrayCount(index + 1, end); j < count; j++) {
                    element = skipString(element, end);
                }
                yield element;
            }
            case AttributeType.LONG_ARRAY, AttributeType.DOUBLE_ARRAY -> checkLong(index + 5 + 8L * arrayCount(index + 1,
                end), end);
            case AttributeType.BOOLEAN_ARRAY -> checkLong(index + 5 + (long) arrayCount(index + 1, end), end);
            default -> throw new IllegalStateException("unknown attribute type " + type);
        };
    }

    private int arrayCount(int index, int end) {
        check(index + 4, end);
        int count = getInt(index);
        if (count < 0) {
            throw new IllegalStateException("negative array length");
        }
        return count;
    }

    private static int checkLong(long index, int end) {
        if (index > end) {
            throw new IllegalStateException("span record truncated");
        }
        return (int) index;
    }

    /** A key is a string, or a registered key's id written as {@code -1 - id} in place of the length. */
    private int skipKey(int index, int end) {
        check(index + 4, end);
        int prefix = getInt(index);
        if (prefix < 0) {
            if (!KeyTable.isRegistered(-1 - prefix)) {
                throw new IllegalStateException("unknown attribute key id " + (-1L - prefix));
            }
            return index + 4;
        }
        return check(index + 4 + prefix, end);
    }

    private int skipString(int index, int end) {
        check(index + 4, end);
        int stringLength = getInt(index);
        if (stringLength < 0) {
            throw new IllegalStateException("negative string length");
        }
        return check(index + 4 + stringLength, end);
    }

    // Reads without a bounds check: every index read was checked against the record's end by wrap, and the record
    // against the buffer's capacity (the buffer's own checked getters were a fifth of the reader's time).

    private int getInt(int index) {
        return UnsafeApi.getInt(base, address + index);
    }

    private long getLong(int index) {
        return UnsafeApi.getLong(base, address + index);
    }

    private short getShort(int index) {
        return UnsafeApi.getShort(base, address + index);
    }

    private byte getByte(int index) {
        return UnsafeApi.getByte(base, address + index);
    }

    private static int check(int index, int end) {
        if (index > end) {
            throw new IllegalStateException("span record truncated");
        }
        return index;
    }

    public DirectBuffer buffer() {
        return buffer;
    }

    public int recordLength() {
        return length;
    }

    public long traceIdHigh() {
        return getLong(offset + TRACE_ID_HIGH);
    }

    public long traceIdLow() {
        return getLong(offset + TRACE_ID_LOW);
    }

    public long spanId() {
        return getLong(offset + SPAN_ID);
    }

    /** Zero when the span is a root. */
    public long parentSpanId() {
        return getLong(offset + PARENT_SPAN_ID);
    }

    public long startEpochNanos() {
        return getLong(offset + START_EPOCH_NANOS);
    }

    public long endEpochNanos() {
        return getLong(offset + END_EPOCH_NANOS);
    }

    public int kind() {
        return getByte(offset + KIND);
    }

    public int statusCode() {
        return getByte(offset + STATUS_CODE);
    }

    public int traceFlags() {
        return getByte(offset + TRACE_FLAGS) & 0xFF;
    }

    public boolean isParentRemote() {
        return (getByte(offset + FLAGS) & FLAG_PARENT_REMOTE) != 0;
    }

    public int scopeId() {
        return getShort(offset + SCOPE_ID);
    }

    public int droppedAttributes() {
        return getInt(offset + DROPPED_ATTRIBUTES);
    }

    public int droppedEvents() {
        return getInt(offset + DROPPED_EVENTS);
    }

    public int droppedLinks() {
        return getInt(offset + DROPPED_LINKS);
    }

    // strings: offset of the UTF-8 bytes and their length

    public int nameOffset() {
        return nameOffset + 4;
    }

    public int nameLength() {
        return getInt(nameOffset);
    }

    public String name() {
        return string(nameOffset);
    }

    public int traceStateOffset() {
        return traceStateOffset + 4;
    }

    public int traceStateLength() {
        return getInt(traceStateOffset);
    }

    public String traceState() {
        return string(traceStateOffset);
    }

    public int statusDescriptionOffset() {
        return statusDescriptionOffset + 4;
    }

    public int statusDescriptionLength() {
        return getInt(statusDescriptionOffset);
    }

    public String statusDescription() {
        return string(statusDescriptionOffset);
    }

    // attributes

    public int attributeCount() {
        return spanAttributeCount;
    }

    /** The buffer holding attribute {@code i}'s key: the record's, or the key table's for a registered key. */
    public DirectBuffer attributeKeyBuffer(int i) {
        return getInt(keyOffsets[i]) < 0 ? KeyTable.bytes() : buffer;
    }

    /** Where attribute {@code i}'s key's UTF-8 starts in {@link #attributeKeyBuffer}. */
    public int attributeKeyOffset(int i) {
        int prefix = getInt(keyOffsets[i]);
        return prefix < 0 ? KeyTable.offset(-1 - prefix) : keyOffsets[i] + 4;
    }

    public int attributeKeyLength(int i) {
        int prefix = getInt(keyOffsets[i]);
        return prefix < 0 ? KeyTable.length(-1 - prefix) : prefix;
    }

    public String attributeKey(int i) {
        return utf8(attributeKeyBuffer(i), attributeKeyOffset(i), attributeKeyLength(i));
    }

    public byte attributeType(int i) {
        return getByte(valueOffsets[i] - 1);
    }

    public long attributeLong(int i) {
        return getLong(valueOffsets[i]);
    }

    public double attributeDouble(int i) {
        return Double.longBitsToDouble(getLong(valueOffsets[i]));
    }

    public boolean attributeBoolean(int i) {
        return getByte(valueOffsets[i]) != 0;
    }

    public int attributeStringOffset(int i) {
        return valueOffsets[i] + 4;
    }

    public int attributeStringLength(int i) {
        return getInt(valueOffsets[i]);
    }

    public String attributeString(int i) {
        return string(valueOffsets[i]);
    }

    /** An array value's element count. */
    public int attributeArrayLength(int i) {
        return getInt(valueOffsets[i]);
    }

    public long attributeLongElement(int i, int j) {
        return getLong(valueOffsets[i] + 4 + 8 * j);
    }

    public double attributeDoubleElement(int i, int j) {
        return Double.longBitsToDouble(getLong(valueOffsets[i] + 4 + 8 * j));
    }

    public boolean attributeBooleanElement(int i, int j) {
        return getByte(valueOffsets[i] + 4 + j) != 0;
    }

    /** The position of a string array's first element (meaningful when its length is above zero). */
    public int attributeFirstElement(int i) {
        return valueOffsets[i] + 4;
    }

    /** The position of the string element after the one at {@code position}. */
    public int nextStringElement(int position) {
        return position + 4 + getInt(position);
    }

    /** Where the UTF-8 of the string element at {@code position} starts. */
    public int elementStringOffset(int position) {
        return position + 4;
    }

    public int elementStringLength(int position) {
        return getInt(position);
    }

    /**
     * The value as a Java object (String, Long, Double or Boolean; a List of them for an array); allocates, for tests
     * and the console.
     */
    public Object attributeValue(int i) {
        byte type = attributeType(i);
        return switch (type) {
            case AttributeType.STRING -> attributeString(i);
            case AttributeType.LONG -> attributeLong(i);
            case AttributeType.DOUBLE -> attributeDouble(i);
            case AttributeType.BOOLEAN -> attributeBoolean(i);
            default -> arrayValue(i, type);
        };
    }

    private List<Object> arrayValue(int i, byte type) {
        int count = attributeArrayLength(i);
        List<Object> values = new ArrayList<>(count);
        int position = attributeFirstElement(i);
        for (int j = 0; j < count; j++) {
            switch (type) {
                case AttributeType.STRING_ARRAY -> {
                    values.add(string(position));
                    position = nextStringElement(position);
                }
                case AttributeType.LONG_ARRAY -> values.add(attributeLongElement(i, j));
                case AttributeType.DOUBLE_ARRAY -> values.add(attributeDoubleElement(i, j));
                default -> values.add(attributeBooleanElement(i, j));
            }
        }
        return List.copyOf(values);
    }

    // events

    public int eventCount() {
        return eventCount;
    }

    public long eventEpochNanos(int e) {
        return getLong(eventOffsets[e]);
    }

    public int eventNameOffset(int e) {
        return eventOffsets[e] + 12;
    }

    public int eventNameLength(int e) {
        return getInt(eventOffsets[e] + 8);
    }

    public String eventName(int e) {
        return string(eventOffsets[e] + 8);
    }

    public int eventDroppedAttributes(int e) {
        int afterName = eventOffsets[e] + 8 + 4 + eventNameLength(e);
        return getInt(afterName + 2);
    }

    public int eventAttributeStart(int e) {
        return eventAttributeStarts[e];
    }

    public int eventAttributeEnd(int e) {
        return eventAttributeStarts[e + 1];
    }

    // links

    public int linkCount() {
        return linkCount;
    }

    public long linkTraceIdHigh(int l) {
        return getLong(linkOffsets[l]);
    }

    public long linkTraceIdLow(int l) {
        return getLong(linkOffsets[l] + 8);
    }

    public long linkSpanId(int l) {
        return getLong(linkOffsets[l] + 16);
    }

    public int linkTraceFlags(int l) {
        return getByte(linkOffsets[l] + LINK_TRACE_FLAGS) & 0xFF;
    }

    /** Whether the linked context came from another process. */
    public boolean isLinkRemote(int l) {
        return (getByte(linkOffsets[l] + LINK_FLAGS) & LINK_FLAG_REMOTE) != 0;
    }

    public int linkTraceStateOffset(int l) {
        return linkOffsets[l] + LINK_TRACE_STATE + 4;
    }

    public int linkTraceStateLength(int l) {
        return getInt(linkOffsets[l] + LINK_TRACE_STATE);
    }

    public String linkTraceState(int l) {
        return string(linkOffsets[l] + LINK_TRACE_STATE);
    }

    public int linkDroppedAttributes(int l) {
        return getInt(linkTraceStateOffset(l) + linkTraceStateLength(l) + 2);
    }

    public int linkAttributeStart(int l) {
        return linkAttributeStarts[l];
    }

    public int linkAttributeEnd(int l) {
        return linkAttributeStarts[l + 1];
    }

    private String string(int prefixIndex) {
        return utf8(buffer, prefixIndex + 4, getInt(prefixIndex));
    }

    private static String utf8(DirectBuffer source, int offset, int length) {
        if (length == 0) {
            return "";
        }
        byte[] bytes = new byte[length];
        source.getBytes(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
