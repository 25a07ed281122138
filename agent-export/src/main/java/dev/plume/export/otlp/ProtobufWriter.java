package dev.plume.export.otlp;

import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte array with the protobuf wire-format primitives the OTLP encoder needs. It is reused batch after
 * batch: {@link #reset()} keeps the array, so a warm writer allocates nothing.
 */
public final class ProtobufWriter {
    static final int WIRE_VARINT = 0;
    static final int WIRE_I64 = 1;
    static final int WIRE_LEN = 2;
    static final int WIRE_I32 = 5;

    /** A nested message's length is written after its body; five bytes hold any varint32 until the body is known. */
    private static final int LENGTH_RESERVE = 5;

    private byte[] bytes;
    private int position;

    public ProtobufWriter(int initialCapacity) {
        bytes = new byte[Math.max(16, initialCapacity)];
    }

    public byte[] array() {
        return bytes;
    }

    public int position() {
        return position;
    }

    public int capacity() {
        return bytes.length;
    }

    public void reset() {
        position = 0;
    }

    /** Forgets everything written after {@code mark} (a span that failed half-way is taken out again). */
    public void truncate(int mark) {
        position = mark;
    }

    /** Replaces an array that one unusually large batch grew, so memory returns to the usual size. */
    public void shrinkTo(int capacity) {
        if (bytes.length > capacity && position <= capacity) {
            bytes = Arrays.copyOf(bytes, capacity);
        }
    }

    public void tag(int field, int wireType) {
        varint32((field << 3) | wireType);
    }

    /** An unsigned varint of up to 32 bits. */
    public void varint32(int value) {
        ensure(5);
        position = putVarint32(bytes, position, value);
    }

    /** A varint of 64 bits (negative int64 values take ten bytes, as the wire format says). */
    public void varint64(long value) {
        ensure(10);
        position = putVarint64(bytes, position, value);
    }

    public void fixed64(long value) {
        ensure(8);
        position = putFixed64(bytes, position, value);
    }

    public void fixed32(int value) {
        ensure(4);
        for (int i = 0; i < 4; i++) {
            bytes[position++] = (byte) value;
            value >>>= 8;
        }
    }

    /** Eight bytes, most significant first: how OTLP writes trace and span ids. */
    public void bigEndianLong(long value) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            bytes[position++] = (byte) (value >>> shift);
        }
    }

    public void bytes(DirectBuffer source, int offset, int length) {
        ensure(length);
        source.getBytes(offset, bytes, position, length);
        position += length;
    }

    public void bytes(byte[] source, int offset, int length) {
        ensure(length);
        System.arraycopy(source, offset, bytes, position, length);
        position += length;
    }

    /** A length-delimited field whose bytes are copied from {@code source} (UTF-8 strings straight from a record). */
    public void lengthDelimited(int field, DirectBuffer source, int offset, int length) {
        tag(field, WIRE_LEN);
        varint32(length);
        bytes(source, offset, length);
    }

    public void lengthDelimited(int field, byte[] source, int offset, int length) {
        tag(field, WIRE_LEN);
        varint32(length);
        bytes(source, offset, length);
    }

    /** A string field from a Java string; allocates, so it is for the resource and scopes, encoded once. */
    public void string(int field, String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        lengthDelimited(field, utf8, 0, utf8.length);
    }

    /** Starts a nested message; returns the mark to pass to {@link #endMessage}. */
    public int beginMessage(int field) {
        tag(field, WIRE_LEN);
        ensure(LENGTH_RESERVE);
        int mark = position;
        position += LENGTH_RESERVE;
        return mark;
    }

    /** Writes the nested message's length in front of its body, moving the body back over the unused reserve. */
    public void endMessage(int mark) {
        int bodyStart = mark + LENGTH_RESERVE;
        int length = position - bodyStart;
        int lengthSize = putVarint32(bytes, mark, length) - mark;
        if (lengthSize < LENGTH_RESERVE) {
            System.arraycopy(bytes, bodyStart, bytes, mark + lengthSize, length);
            position -= LENGTH_RESERVE - lengthSize;
        }
    }

    /** Writes an unsigned varint32 into {@code target} at {@code at}; returns the index after it. */
    static int putVarint32(byte[] target, int at, int value) {
        while ((value & ~0x7F) != 0) {
            target[at++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        target[at++] = (byte) value;
        return at;
    }

    /** Writes a varint of 64 bits into {@code target} at {@code at}; returns the index after it. */
    static int putVarint64(byte[] target, int at, long value) {
        while ((value & ~0x7FL) != 0) {
            target[at++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        target[at++] = (byte) value;
        return at;
    }

    /** Writes eight bytes, least significant first, into {@code target} at {@code at}; returns the index after them. */
    static int putFixed64(byte[] target, int at, long value) {
        for (int i = 0; i < 8; i++) {
            target[at++] = (byte) value;
            value >>>= 8;
        }
        return at;
    }

    /**
     * Makes room for {@code length} bytes at the position and moves past them; returns where they start in
     * {@link #array()}, for the caller to write into.
     */
    int reserve(int length) {
        ensure(length);
        int start = position;
        position += length;
        return start;
    }

    public static int varintSize(int value) {
        if ((value & ~0x7F) == 0) {
            return 1;
        }
        if ((value & ~0x3FFF) == 0) {
            return 2;
        }
        if ((value & ~0x1FFFFF) == 0) {
            return 3;
        }
        if ((value & ~0xFFFFFFF) == 0) {
            return 4;
        }
        return 5;
    }

    private void ensure(int more) {
        int needed = position + more;
        if (needed > bytes.length) {
            if (needed < 0) {
                throw new IllegalStateException("protobuf message larger than 2 GiB");
            }
            int grown = (int) Math.min(Integer.MAX_VALUE - 8, (long) bytes.length * 3 / 2);
            bytes = Arrays.copyOf(bytes, Math.max(needed, grown));
        }
    }
}
