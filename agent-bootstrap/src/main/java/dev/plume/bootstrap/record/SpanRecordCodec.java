package dev.plume.bootstrap.record;

import dev.plume.bootstrap.trace.AttributeList;
import dev.plume.bootstrap.trace.AttributeType;
import dev.plume.bootstrap.trace.SpanLimits;
import dev.plume.bootstrap.trace.SpanSlot;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;

/**
 * The one description of a span record in the ring buffer, with its writer (application threads) and the layout the
 * reader ({@link SpanRecordReader}, exporter thread) follows. Numbers are in the platform's native byte order, which
 * is the order the reader's Agrona getters use.
 *
 * <pre>
 *  0 traceIdHigh      long        32 startEpochNanos long     52 scopeId        short
 *  8 traceIdLow       long        40 endEpochNanos   long     54 attributeCount short
 * 16 spanId           long        48 kind            byte     56 eventCount     short
 * 24 parentSpanId     long        49 statusCode      byte     58 (reserved)     short
 *                                 50 traceFlags      byte     60 droppedAttributes int
 *                                 51 flags (bit 0: parent is remote)   64 droppedEvents int
 * 68 name, traceState, statusDescription: strings
 *    attributes:  key, type byte, value (string | long 8 | double 8 | boolean 1)
 *                 key := string, or a registered key as int -1 - id (KeyTable), in place of the length
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

    /**
     * Writes the record as planned at {@code offset}, which must have {@link #plannedLength} bytes claimed; returns
     * the number of bytes written. Writes go straight to memory (no per-write bounds check): every string checks the
     * end of the record before it is copied, and a record that would not fit throws instead of writing past it.
     */
    public static int encode(SpanSlot slot, long plan, MutableDirectBuffer buffer, int offset) {
        int keptAttributes = plannedAttributes(plan);
        int keptEvents = plannedEvents(plan);
        int length = plannedLength(plan);
        if (offset < 0 || length < HEADER_LENGTH || offset > buffer.capacity() - length) {
            throw new IndexOutOfBoundsException("record of " + length + " bytes at " + offset + " in a buffer of "
                + buffer.capacity());
        }
        int valueLimit = slot.limits().valueLengthLimit();
        AttributeList attributes = slot.attributes();
        Object base = buffer.byteArray();
        long start = buffer.addressOffset() + offset;
        long limit = start + length;
        UnsafeApi.putLong(base, start + TRACE_ID_HIGH, slot.traceIdHigh());
        UnsafeApi.putLong(base, start + TRACE_ID_LOW, slot.traceIdLow());
        UnsafeApi.putLong(base, start + SPAN_ID, slot.spanId());
        UnsafeApi.putLong(base, start + PARENT_SPAN_ID, slot.parentSpanId());
        UnsafeApi.putLong(base, start + START_EPOCH_NANOS, slot.startEpochNanos());
        UnsafeApi.putLong(base, start + END_EPOCH_NANOS, slot.endEpochNanos());
        UnsafeApi.putByte(base, start + KIND, (byte) slot.kind());
        UnsafeApi.putByte(base, start + STATUS_CODE, (byte) slot.statusCode());
        UnsafeApi.putByte(base, start + TRACE_FLAGS, (byte) slot.traceFlags());
        UnsafeApi.putByte(base, start + FLAGS, (byte) (slot.isParentRemote() ? FLAG_PARENT_REMOTE : 0));
        UnsafeApi.putShort(base, start + SCOPE_ID, (short) slot.scopeId());
        UnsafeApi.putShort(base, start + ATTRIBUTE_COUNT, (short) keptAttributes);
        UnsafeApi.putShort(base, start + EVENT_COUNT, (short) keptEvents);
        UnsafeApi.putShort(base, start + EVENT_COUNT + 2, (short) 0);
        UnsafeApi.putInt(base, start + DROPPED_ATTRIBUTES,
            slot.droppedAttributes() + attributes.count() - keptAttributes);
        UnsafeApi.putInt(base, start + DROPPED_EVENTS, slot.droppedEvents() + slot.eventCount() - keptEvents);
        long address = writeName(base, start + HEADER_LENGTH, limit, slot);
        address = writeString(base, address, limit, slot.traceState(), Integer.MAX_VALUE);
        address = writeString(base, address, limit, slot.statusDescription(), SpanLimits.MAX_NAME_LENGTH);
        for (int i = 0; i < keptAttributes; i++) {
            address = writeAttribute(base, address, limit, attributes, i, valueLimit);
        }
        AttributeList eventAttributes = slot.eventAttributes();
        for (int e = 0; e < keptEvents; e++) {
            Utf8.check(address + 8, limit);
            UnsafeApi.putLong(base, address, slot.eventTime(e));
            address = writeString(base, address + 8, limit, slot.eventName(e), SpanLimits.MAX_NAME_LENGTH);
            int first = slot.eventAttributeStart(e);
            int end = slot.eventAttributeEnd(e);
            Utf8.check(address + 6, limit);
            UnsafeApi.putShort(base, address, (short) (end - first));
            UnsafeApi.putInt(base, address + 2, slot.eventDroppedAttributes(e));
            address += 6;
            for (int i = first; i < end; i++) {
                address = writeAttribute(base, address, limit, eventAttributes, i, valueLimit);
            }
        }
        return (int) (address - start);
    }

    private static int nameSize(SpanSlot slot) {
        int size = stringSize(slot.name(), SpanLimits.MAX_NAME_LENGTH);
        String suffix = slot.nameSuffix();
        if (suffix != null && slot.name() != null) {
            size += 1 + Utf8.encodedLength(suffix, Utf8.keptChars(suffix, SpanLimits.MAX_NAME_LENGTH));
        }
        return size;
    }

    private static long writeName(Object base, long address, long limit, SpanSlot slot) {
        String name = slot.name();
        String suffix = slot.nameSuffix();
        Utf8.check(address + STRING_PREFIX, limit);
        if (name == null) {
            UnsafeApi.putInt(base, address, 0);
            return address + STRING_PREFIX;
        }
        long first = address + STRING_PREFIX;
        long end = Utf8.write(base, first, limit, name, Utf8.keptChars(name, SpanLimits.MAX_NAME_LENGTH));
        if (suffix != null) {
            Utf8.check(end + 1, limit);
            UnsafeApi.putByte(base, end++, (byte) ' ');
            end = Utf8.write(base, end, limit, suffix, Utf8.keptChars(suffix, SpanLimits.MAX_NAME_LENGTH));
        }
        UnsafeApi.putInt(base, address, (int) (end - first));
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
        int keySize = attributes.keyId(i) >= 0 ? STRING_PREFIX
            : stringSize(attributes.key(i), SpanLimits.MAX_NAME_LENGTH);
        int size = keySize + 1;
        return size + switch (attributes.type(i)) {
            case AttributeType.STRING -> stringSize(attributes.string(i), valueLimit);
            case AttributeType.BOOLEAN -> 1;
            default -> 8;
        };
    }

    private static long writeAttribute(Object base, long address, long limit, AttributeList attributes, int i,
                                       int valueLimit) {
        int keyId = attributes.keyId(i);
        if (keyId >= 0) {
            Utf8.check(address + STRING_PREFIX, limit);
            UnsafeApi.putInt(base, address, -1 - keyId);
            address += STRING_PREFIX;
        } else {
            address = writeString(base, address, limit, attributes.key(i), SpanLimits.MAX_NAME_LENGTH);
        }
        byte type = attributes.type(i);
        Utf8.check(address + 1, limit);
        UnsafeApi.putByte(base, address++, type);
        switch (type) {
            case AttributeType.STRING -> address = writeString(base, address, limit, attributes.string(i), valueLimit);
            case AttributeType.BOOLEAN -> {
                Utf8.check(address + 1, limit);
                UnsafeApi.putByte(base, address++, (byte) attributes.bits(i));
            }
            default -> {
                Utf8.check(address + 8, limit);
                UnsafeApi.putLong(base, address, attributes.bits(i));
                address += 8;
            }
        }
        return address;
    }

    private static int stringSize(String s, int maxChars) {
        return s == null ? STRING_PREFIX : STRING_PREFIX + Utf8.encodedLength(s, Utf8.keptChars(s, maxChars));
    }

    private static long writeString(Object base, long address, long limit, String s, int maxChars) {
        Utf8.check(address + STRING_PREFIX, limit);
        if (s == null) {
            UnsafeApi.putInt(base, address, 0);
            return address + STRING_PREFIX;
        }
        long end = Utf8.write(base, address + STRING_PREFIX, limit, s, Utf8.keptChars(s, maxChars));
        UnsafeApi.putInt(base, address, (int) (end - address - STRING_PREFIX));
        return end;
    }
}
