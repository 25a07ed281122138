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
 * 24 parentSpanId     long        49 statusCode      byte     58 linkCount      short
 *                                 50 traceFlags      byte     60 droppedAttributes int
 *                                 51 flags (bit 0: parent is remote)   64 droppedEvents int
 *                                                                      68 droppedLinks  int
 * 72 name, traceState, statusDescription: strings
 *    attributes:  key, type byte, value
 *                 key := string, or a registered key as int -1 - id (KeyTable), in place of the length
 *                 value := string | long 8 | double 8 | boolean 1
 *                        | count int, then count strings | count longs | count doubles | count booleans (1 byte)
 *    events:      timeEpochNanos long, name string, attributeCount short, droppedAttributes int, attributes
 *    links:       traceIdHigh long, traceIdLow long, spanId long, traceFlags byte, flags byte (bit 0: remote),
 *                 traceState string, attributeCount short, droppedAttributes int, attributes
 * string := length int, UTF-8 bytes (a null string, and a null element of a string array, is written as "")
 * </pre>
 *
 * A record too large for the ring keeps what fits: links are dropped from the end first, then events, then
 * attributes, and each is counted as dropped.
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
    static final int LINK_COUNT = 58;
    static final int DROPPED_EVENTS = 64;
    static final int DROPPED_LINKS = 68;
    static final int HEADER_LENGTH = 72;
    static final int FLAG_PARENT_REMOTE = 1;
    static final int LINK_FLAG_REMOTE = 1;

    private static final int STRING_PREFIX = 4;
    private static final int ARRAY_PREFIX = 4;
    private static final int EVENT_FIXED = 8 + 2 + 4;
    /** A link's ids, trace flags, flags, attribute count and dropped attributes; its trace state comes after. */
    private static final int LINK_FIXED = 8 + 8 + 8 + 1 + 1 + 2 + 4;
    static final int LINK_TRACE_FLAGS = 24;
    static final int LINK_FLAGS = 25;
    static final int LINK_TRACE_STATE = 26;

    private SpanRecordCodec() {
    }

    /**
     * Measures the record for {@code slot} and decides what it keeps so that it fits in {@code maxLength}: links are
     * dropped from the end first, then events, then attributes. Returns a plan: the record length in the high 32 bits,
     * and in the low 32 how many items it keeps of the sequence attributes, events, links (what is left out is always
     * that sequence's end, so one number says what each part keeps).
     */
    public static long plan(SpanSlot slot, int maxLength) {
        int valueLimit = slot.limits().valueLengthLimit();
        long total = HEADER_LENGTH + nameSize(slot) + stringSize(slot.traceState(), Integer.MAX_VALUE)
            + stringSize(slot.statusDescription(), SpanLimits.MAX_NAME_LENGTH);
        AttributeList attributes = slot.attributes();
        int attributeCount = attributes.count();
        for (int i = 0; i < attributeCount; i++) {
            total += attributeSize(attributes, i, valueLimit);
        }
        int eventCount = slot.eventCount();
        for (int e = 0; e < eventCount; e++) {
            total += eventSize(slot, e, valueLimit);
        }
        int linkCount = slot.linkCount();
        for (int l = 0; l < linkCount; l++) {
            total += linkSize(slot, l, valueLimit);
        }
        while (total > maxLength && linkCount > 0) {
            linkCount--;
            total -= linkSize(slot, linkCount, valueLimit);
        }
        while (total > maxLength && eventCount > 0) {
            eventCount--;
            total -= eventSize(slot, eventCount, valueLimit);
        }
        while (total > maxLength && attributeCount > 0) {
            attributeCount--;
            total -= attributeSize(attributes, attributeCount, valueLimit);
        }
        // a fixed part larger than the ring allows stays too large: the ring refuses it and counts it dropped
        int length = (int) Math.min(total, Integer.MAX_VALUE);
        return ((long) length << 32) | (attributeCount + eventCount + linkCount);
    }

    /**
     * An upper bound of the record's length read off string lengths alone (no string's bytes are looked at; the
     * attributes' part kept as they were set), for a span with no events, links or array values whose bound is at most
     * {@code maxLength}; -1 for any other span, which {@link #plan} measures. A stage that has room for the bound takes
     * the record in one pass ({@link #planWhole}), and learns its length from {@link #encode}.
     */
    public static int bound(SpanSlot slot, int maxLength) {
        AttributeList attributes = slot.attributes();
        if (slot.eventCount() > 0 || slot.linkCount() > 0 || attributes.holdsArrays()) {
            return -1;
        }
        long total = HEADER_LENGTH + 3 * STRING_PREFIX + 1 + charsBound(slot.name(), SpanLimits.MAX_NAME_LENGTH)
            + charsBound(slot.nameSuffix(), SpanLimits.MAX_NAME_LENGTH) + charsBound(slot.traceState(), Integer.MAX_VALUE)
            + charsBound(slot.statusDescription(), SpanLimits.MAX_NAME_LENGTH) + attributes.recordBound();
        return total > maxLength ? -1 : (int) total;
    }

    /** The plan that keeps everything, in {@code bound} bytes at most (see {@link #bound}). */
    public static long planWhole(SpanSlot slot, int bound) {
        return ((long) bound << 32) | slot.attributes().count();
    }

    /** At most three UTF-8 bytes per char (a surrogate pair's four bytes are two chars). */
    private static long charsBound(String s, int maxChars) {
        return s == null ? 0 : 3L * Math.min(s.length(), maxChars);
    }

    public static int plannedLength(long plan) {
        return (int) (plan >>> 32);
    }

    private static int plannedItems(long plan) {
        return (int) plan;
    }

    static int plannedAttributes(SpanSlot slot, long plan) {
        return Math.min(plannedItems(plan), slot.attributes().count());
    }

    static int plannedEvents(SpanSlot slot, long plan) {
        return Math.max(0, Math.min(plannedItems(plan) - slot.attributes().count(), slot.eventCount()));
    }

    static int plannedLinks(SpanSlot slot, long plan) {
        return Math.max(0, plannedItems(plan) - slot.attributes().count() - slot.eventCount());
    }

    /** Whether the plan had to leave anything out to fit. */
    public static boolean isCut(SpanSlot slot, long plan) {
        return plannedItems(plan) < slot.attributes().count() + slot.eventCount() + slot.linkCount();
    }

    /**
     * Writes the record as planned at {@code offset}, which must have {@link #plannedLength} bytes claimed; returns
     * the number of bytes written (the planned length, or less for a {@link #planWhole} plan). Writes go straight to
     * memory (no per-write bounds check): every string checks the end of the record before it is copied, and a record
     * that would not fit throws instead of writing past it.
     */
    public static int encode(SpanSlot slot, long plan, MutableDirectBuffer buffer, int offset) {
        int keptAttributes = plannedAttributes(slot, plan);
        int keptEvents = plannedEvents(slot, plan);
        int keptLinks = plannedLinks(slot, plan);
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
        UnsafeApi.putShort(base, start + LINK_COUNT, (short) keptLinks);
        UnsafeApi.putInt(base, start + DROPPED_ATTRIBUTES,
            slot.droppedAttributes() + attributes.count() - keptAttributes);
        UnsafeApi.putInt(base, start + DROPPED_EVENTS, slot.droppedEvents() + slot.eventCount() - keptEvents);
        UnsafeApi.putInt(base, start + DROPPED_LINKS, slot.droppedLinks() + slot.linkCount() - keptLinks);
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
        if (keptLinks > 0) {
            address = writeLinks(slot, keptLinks, base, address, limit, valueLimit);
        }
        return (int) (address - start);
    }

    private static long writeLinks(SpanSlot slot, int keptLinks, Object base, long address, long limit,
                                   int valueLimit) {
        AttributeList linkAttributes = slot.linkAttributes();
        for (int l = 0; l < keptLinks; l++) {
            Utf8.check(address + LINK_TRACE_STATE, limit);
            UnsafeApi.putLong(base, address, slot.linkTraceIdHigh(l));
            UnsafeApi.putLong(base, address + 8, slot.linkTraceIdLow(l));
            UnsafeApi.putLong(base, address + 16, slot.linkSpanId(l));
            UnsafeApi.putByte(base, address + LINK_TRACE_FLAGS, (byte) slot.linkTraceFlags(l));
            UnsafeApi.putByte(base, address + LINK_FLAGS, (byte) (slot.isLinkRemote(l) ? LINK_FLAG_REMOTE : 0));
            address = writeString(base, address + LINK_TRACE_STATE, limit, slot.linkTraceState(l), Integer.MAX_VALUE);
            int first = slot.linkAttributeStart(l);
            int end = slot.linkAttributeEnd(l);
            Utf8.check(address + 6, limit);
            UnsafeApi.putShort(base, address, (short) (end - first));
            UnsafeApi.putInt(base, address + 2, slot.linkDroppedAttributes(l));
            address += 6;
            for (int i = first; i < end; i++) {
                address = writeAttribute(base, address, limit, linkAttributes, i, valueLimit);
            }
        }
        return address;
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

    private static long eventSize(SpanSlot slot, int e, int valueLimit) {
        long size = EVENT_FIXED + stringSize(slot.eventName(e), SpanLimits.MAX_NAME_LENGTH);
        AttributeList eventAttributes = slot.eventAttributes();
        for (int i = slot.eventAttributeStart(e), end = slot.eventAttributeEnd(e); i < end; i++) {
            size += attributeSize(eventAttributes, i, valueLimit);
        }
        return size;
    }

    private static long linkSize(SpanSlot slot, int l, int valueLimit) {
        long size = LINK_FIXED + stringSize(slot.linkTraceState(l), Integer.MAX_VALUE);
        AttributeList linkAttributes = slot.linkAttributes();
        for (int i = slot.linkAttributeStart(l), end = slot.linkAttributeEnd(l); i < end; i++) {
            size += attributeSize(linkAttributes, i, valueLimit);
        }
        return size;
    }

    /** An attribute's size in the record; a long, as an array's may pass 2 GiB (such a record is cut, not wrapped). */
    private static long attributeSize(AttributeList attributes, int i, int valueLimit) {
        int keySize = attributes.keyId(i) >= 0 ? STRING_PREFIX
            : stringSize(attributes.key(i), SpanLimits.MAX_NAME_LENGTH);
        long size = keySize + 1;
        return size + switch (attributes.type(i)) {
            case AttributeType.STRING -> stringSize(attributes.string(i), valueLimit);
            case AttributeType.BOOLEAN -> 1;
            case AttributeType.LONG, AttributeType.DOUBLE -> 8;
            default -> arraySize(attributes.type(i), attributes.array(i), valueLimit);
        };
    }

    private static long arraySize(byte type, Object array, int valueLimit) {
        return ARRAY_PREFIX + switch (type) {
            case AttributeType.STRING_ARRAY -> {
                long size = 0;
                for (String element : (String[]) array) {
                    size += stringSize(element, valueLimit);
                }
                yield size;
            }
            case AttributeType.LONG_ARRAY -> 8L * ((long[]) array).length;
            case AttributeType.DOUBLE_ARRAY -> 8L * ((double[]) array).length;
            default -> ((boolean[]) array).length;
        };
    }

    private static long writeAttribute(Object base, long address, long limit, AttributeList attributes, int i,
                                       int valueLimit) {
        int keyId = attributes.keyId(i);
        byte type = attributes.type(i); // read together: one number holds both
        if (keyId >= 0) {
            Utf8.check(address + STRING_PREFIX, limit);
            UnsafeApi.putInt(base, address, -1 - keyId);
            address += STRING_PREFIX;
        } else {
            address = writeString(base, address, limit, attributes.key(i), SpanLimits.MAX_NAME_LENGTH);
        }
        Utf8.check(address + 1, limit);
        UnsafeApi.putByte(base, address++, type);
        switch (type) {
            case AttributeType.STRING -> address = writeString(base, address, limit, attributes.string(i), valueLimit);
            case AttributeType.BOOLEAN -> {
                Utf8.check(address + 1, limit);
                UnsafeApi.putByte(base, address++, (byte) attributes.bits(i));
            }
            case AttributeType.LONG, AttributeType.DOUBLE -> {
                Utf8.check(address + 8, limit);
                UnsafeApi.putLong(base, address, attributes.bits(i));
                address += 8;
            }
            default -> address = writeArray(base, address, limit, type, attributes.array(i), valueLimit);
        }
        return address;
    }

    private static long writeArray(Object base, long address, long limit, byte type, Object array, int valueLimit) {
        switch (type) {
            case AttributeType.STRING_ARRAY -> {
                String[] values = (String[]) array;
                address = arrayPrefix(base, address, limit, values.length, 0);
                for (String value : values) {
                    address = writeString(base, address, limit, value, valueLimit);
                }
            }
            case AttributeType.LONG_ARRAY -> {
                long[] values = (long[]) array;
                address = arrayPrefix(base, address, limit, values.length, 8);
                for (long value : values) {
                    UnsafeApi.putLong(base, address, value);
                    address += 8;
                }
            }
            case AttributeType.DOUBLE_ARRAY -> {
                double[] values = (double[]) array;
                address = arrayPrefix(base, address, limit, values.length, 8);
                for (double value : values) {
                    UnsafeApi.putLong(base, address, Double.doubleToRawLongBits(value));
                    address += 8;
                }
            }
            case AttributeType.BOOLEAN_ARRAY -> {
                boolean[] values = (boolean[]) array;
                address = arrayPrefix(base, address, limit, values.length, 1);
                for (boolean value : values) {
                    UnsafeApi.putByte(base, address++, (byte) (value ? 1 : 0));
                }
            }
            default -> throw new IllegalStateException("unknown attribute type " + type);
        }
        return address;
    }

    /** Writes an array's element count, having checked that it and {@code elementSize} bytes per element fit. */
    private static long arrayPrefix(Object base, long address, long limit, int count, int elementSize) {
        Utf8.check(address + ARRAY_PREFIX + (long) elementSize * count, limit);
        UnsafeApi.putInt(base, address, count);
        return address + ARRAY_PREFIX;
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
