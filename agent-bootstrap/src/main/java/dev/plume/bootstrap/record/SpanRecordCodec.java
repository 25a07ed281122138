package dev.plume.bootstrap.record;

import dev.plume.bootstrap.trace.AttributeList;
import dev.plume.bootstrap.trace.AttributeType;
import dev.plume.bootstrap.trace.SpanLimits;
import dev.plume.bootstrap.trace.SpanSlot;
import org.agrona.MutableDirectBuffer;

/**
 * The one description of a span record in the ring buffer, with its writer (application threads) and the layout the
 * reader ({@link SpanRecordReader}, exporter thread) follows. All numbers are little-endian, as Agrona writes them.
 *
 * <pre>
 *  0 traceIdHigh      long        32 startEpochNanos long     52 scopeId        short
 *  8 traceIdLow       long        40 endEpochNanos   long     54 attributeCount short
 * 16 spanId           long        48 kind            byte     56 eventCount     short
 * 24 parentSpanId     long        49 statusCode      byte     58 (reserved)     short
 *                                 50 traceFlags      byte     60 droppedAttributes int
 *                                 51 flags (bit 0: parent is remote)   64 droppedEvents int
 * 68 name, traceState, statusDescription: strings
 *    attributes:  key string, type byte, value (string | long 8 | double 8 | boolean 1)
 *    events:      timeEpochNanos long, name string, attributeCount short, droppedAttributes int, attributes
 * string := length int, UTF-8 bytes
 * </pre>
 */
public final class SpanRecordCodec {
    public static final int MSG_TYPE_SPAN = 1;

    static final int TRACE_ID_HIGH = 0;
    static final int TRACE_ID_LOW = 8;
    static final int SPAN_ID = 16;
    static final int PARENT_SPAN_ID = 24;
    static final int START_EPOCH_NANOS = 32;
    static final int END_EPOCH_NANOS = 40;
    static final int KIND = 48;
    static final int STATUS_CODE = 49;
    static final int TRACE_FLAGS = 50;
    static final int FLAGS = 51;
    static final int SCOPE_ID = 52;
    static final int ATTRIBUTE_COUNT = 54;
    static final int EVENT_COUNT = 56;
    static final int DROPPED_ATTRIBUTES = 60;
    static final int DROPPED_EVENTS = 64;
    static final int HEADER_LENGTH = 68;
    static final int FLAG_PARENT_REMOTE = 1;

    private static final int STRING_PREFIX = 4;
    private static final int EVENT_FIXED = 8 + 2 + 4;

    private SpanRecordCodec() {
    }

    /**
     * Measures the record for {@code slot} and decides what it keeps so that it fits in {@code maxLength}: events are
     * dropped from the end first, then attributes. Returns a plan: kept events in the low 16 bits, kept attributes in
     * the next 16, the record length in the high 32 bits.
     */
    public static long plan(SpanSlot slot, int maxLength) {
        int valueLimit = slot.limits().valueLengthLimit();
        int length = HEADER_LENGTH + nameSize(slot) + stringSize(slot.traceState(), Integer.MAX_VALUE)
            + stringSize(slot.statusDescription(), SpanLimits.MAX_NAME_LENGTH);
        AttributeList attributes = slot.attributes();
        int attributeCount = attributes.count();
        int attributesSize = 0;
        for (int i = 0; i < attributeCount; i++) {
            attributesSize += attributeSize(attributes, i, valueLimit);
        }
        int eventCount = slot.eventCount();
        int eventsSize = 0;
        for (int e = 0; e < eventCount; e++) {
            eventsSize += eventSize(slot, e, valueLimit);
        }
        int total = length + attributesSize + eventsSize;
        while (total > maxLength && eventCount > 0) {
            eventCount--;
            total -= eventSize(slot, eventCount, valueLimit);
        }
        while (total > maxLength && attributeCount > 0) {
            attributeCount--;
            total -= attributeSize(attributes, attributeCount, valueLimit);
        }
        return ((long) total << 32) | ((long) attributeCount << 16) | eventCount;
    }

    public static int plannedLength(long plan) {
        return (int) (plan >>> 32);
    }

    static int plannedAttributes(long plan) {
        return (int) ((plan >>> 16) & 0xFFFF);
    }

    static int plannedEvents(long plan) {
        return (int) (plan & 0xFFFF);
    }

    /** Whether the plan had to leave anything out to fit. */
    public static boolean isCut(SpanSlot slot, long plan) {
        return plannedAttributes(plan) < slot.attributes().count() || plannedEvents(plan) < slot.eventCount();
    }

    /** Writes the record as planned at {@code offset}; returns the number of bytes written. */
    public static int encode(SpanSlot slot, long plan, MutableDirectBuffer buffer, int offset) {
        int keptAttributes = plannedAttributes(plan);
        int keptEvents = plannedEvents(plan);
        int valueLimit = slot.limits().valueLengthLimit();
        AttributeList attributes = slot.attributes();
        buffer.putLong(offset + TRACE_ID_HIGH, slot.traceIdHigh());
        buffer.putLong(offset + TRACE_ID_LOW, slot.traceIdLow());
        buffer.putLong(offset + SPAN_ID, slot.spanId());
        buffer.putLong(offset + PARENT_SPAN_ID, slot.parentSpanId());
        buffer.putLong(offset + START_EPOCH_NANOS, slot.startEpochNanos());
        buffer.putLong(offset + END_EPOCH_NANOS, slot.endEpochNanos());
        buffer.putByte(offset + KIND, (byte) slot.kind());
        buffer.putByte(offset + STATUS_CODE, (byte) slot.statusCode());
        buffer.putByte(offset + TRACE_FLAGS, (byte) slot.traceFlags());
        buffer.putByte(offset + FLAGS, (byte) (slot.isParentRemote() ? FLAG_PARENT_REMOTE : 0));
        buffer.putShort(offset + SCOPE_ID, (short) slot.scopeId());
        buffer.putShort(offset + ATTRIBUTE_COUNT, (short) keptAttributes);
        buffer.putShort(offset + EVENT_COUNT, (short) keptEvents);
        buffer.putShort(offset + EVENT_COUNT + 2, (short) 0);
        buffer.putInt(offset + DROPPED_ATTRIBUTES, slot.droppedAttributes() + attributes.count() - keptAttributes);
        buffer.putInt(offset + DROPPED_EVENTS, slot.droppedEvents() + slot.eventCount() - keptEvents);
        int index = writeName(buffer, offset + HEADER_LENGTH, slot);
        index = writeString(buffer, index, slot.traceState(), Integer.MAX_VALUE);
        index = writeString(buffer, index, slot.statusDescription(), SpanLimits.MAX_NAME_LENGTH);
        for (int i = 0; i < keptAttributes; i++) {
            index = writeAttribute(buffer, index, attributes, i, valueLimit);
        }
        AttributeList eventAttributes = slot.eventAttributes();
        for (int e = 0; e < keptEvents; e++) {
            buffer.putLong(index, slot.eventTime(e));
            index = writeString(buffer, index + 8, slot.eventName(e), SpanLimits.MAX_NAME_LENGTH);
            int start = slot.eventAttributeStart(e);
            int end = slot.eventAttributeEnd(e);
            buffer.putShort(index, (short) (end - start));
            buffer.putInt(index + 2, slot.eventDroppedAttributes(e));
            index += 6;
            for (int i = start; i < end; i++) {
                index = writeAttribute(buffer, index, eventAttributes, i, valueLimit);
            }
        }
        return index - offset;
    }

    private static int nameSize(SpanSlot slot) {
        int size = stringSize(slot.name(), SpanLimits.MAX_NAME_LENGTH);
        String suffix = slot.nameSuffix();
        if (suffix != null && slot.name() != null) {
            size += 1 + Utf8.encodedLength(suffix, Utf8.keptChars(suffix, SpanLimits.MAX_NAME_LENGTH));
        }
        return size;
    }

    private static int writeName(MutableDirectBuffer buffer, int index, SpanSlot slot) {
        String name = slot.name();
        String suffix = slot.nameSuffix();
        if (name == null) {
            buffer.putInt(index, 0);
            return index + STRING_PREFIX;
        }
        int start = index + STRING_PREFIX;
        int end = Utf8.write(buffer, start, name, Utf8.keptChars(name, SpanLimits.MAX_NAME_LENGTH));
        if (suffix != null) {
            buffer.putByte(end++, (byte) ' ');
            end = Utf8.write(buffer, end, suffix, Utf8.keptChars(suffix, SpanLimits.MAX_NAME_LENGTH));
        }
        buffer.putInt(index, end - start);
        return end;
    }

    private static int eventSize(SpanSlot slot, int e, int valueLimit) {
        int size = EVENT_FIXED + stringSize(slot.eventName(e), SpanLimits.MAX_NAME_LENGTH);
        AttributeList eventAttributes = slot.eventAttributes();
        for (int i = slot.eventAttributeStart(e), end = slot.eventAttributeEnd(e); i < end; i++) {
            size += attributeSize(eventAttributes, i, valueLimit);
        }
        return size;
    }

    private static int attributeSize(AttributeList attributes, int i, int valueLimit) {
        int size = stringSize(attributes.key(i), SpanLimits.MAX_NAME_LENGTH) + 1;
        return size + switch (attributes.type(i)) {
            case AttributeType.STRING -> stringSize(attributes.string(i), valueLimit);
            case AttributeType.BOOLEAN -> 1;
            default -> 8;
        };
    }

    private static int writeAttribute(MutableDirectBuffer buffer, int index, AttributeList attributes, int i,
                                      int valueLimit) {
        index = writeString(buffer, index, attributes.key(i), SpanLimits.MAX_NAME_LENGTH);
        byte type = attributes.type(i);
        buffer.putByte(index++, type);
        switch (type) {
            case AttributeType.STRING -> index = writeString(buffer, index, attributes.string(i), valueLimit);
            case AttributeType.BOOLEAN -> buffer.putByte(index++, (byte) attributes.bits(i));
            default -> {
                buffer.putLong(index, attributes.bits(i));
                index += 8;
            }
        }
        return index;
    }

    private static int stringSize(String s, int maxChars) {
        return s == null ? STRING_PREFIX : STRING_PREFIX + Utf8.encodedLength(s, Utf8.keptChars(s, maxChars));
    }

    private static int writeString(MutableDirectBuffer buffer, int index, String s, int maxChars) {
        if (s == null) {
            buffer.putInt(index, 0);
            return index + STRING_PREFIX;
        }
        int end = Utf8.write(buffer, index + STRING_PREFIX, s, Utf8.keptChars(s, maxChars));
        buffer.putInt(index, end - index - STRING_PREFIX);
        return end;
    }
}
