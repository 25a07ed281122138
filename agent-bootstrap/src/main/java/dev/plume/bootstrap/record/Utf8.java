package dev.plume.bootstrap.record;

import org.agrona.MutableDirectBuffer;

/**
 * UTF-8 measuring and writing straight from a {@link String} into a buffer, without the byte array that
 * {@link String#getBytes} would allocate. Lengths are cut at a number of characters without splitting a surrogate pair.
 */
final class Utf8 {
    private Utf8() {
    }

    /** The number of chars of {@code s} kept under a limit of {@code maxChars}, never ending inside a surrogate pair. */
    static int keptChars(String s, int maxChars) {
        int length = s.length();
        if (length <= maxChars) {
            return length;
        }
        if (maxChars > 0 && Character.isHighSurrogate(s.charAt(maxChars - 1))) {
            return maxChars - 1;
        }
        return maxChars;
    }

    /** Encoded length of the first {@code chars} chars of {@code s}; lone surrogates count as '?'. */
    static int encodedLength(String s, int chars) {
        int bytes = 0;
        for (int i = 0; i < chars; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < chars && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** Writes the first {@code chars} chars of {@code s} at {@code index}; returns the index after the last byte. */
    static int write(MutableDirectBuffer buffer, int index, String s, int chars) {
        for (int i = 0; i < chars; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                buffer.putByte(index++, (byte) c);
            } else if (c < 0x800) {
                buffer.putByte(index++, (byte) (0xC0 | (c >> 6)));
                buffer.putByte(index++, (byte) (0x80 | (c & 0x3F)));
            } else if (Character.isHighSurrogate(c) && i + 1 < chars && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                buffer.putByte(index++, (byte) (0xF0 | (cp >> 18)));
                buffer.putByte(index++, (byte) (0x80 | ((cp >> 12) & 0x3F)));
                buffer.putByte(index++, (byte) (0x80 | ((cp >> 6) & 0x3F)));
                buffer.putByte(index++, (byte) (0x80 | (cp & 0x3F)));
            } else if (Character.isSurrogate(c)) {
                buffer.putByte(index++, (byte) '?');
            } else {
                buffer.putByte(index++, (byte) (0xE0 | (c >> 12)));
                buffer.putByte(index++, (byte) (0x80 | ((c >> 6) & 0x3F)));
                buffer.putByte(index++, (byte) (0x80 | (c & 0x3F)));
            }
        }
        return index;
    }
}
