package dev.plume.bootstrap.record;

import org.agrona.UnsafeApi;

/**
 * UTF-8 measuring and writing straight from a {@link String} into a buffer, without the byte array that
 * {@link String#getBytes} would allocate. Lengths are cut at a number of characters without splitting a surrogate pair.
 *
 * <p>Fast path: a compact (Latin-1) string's bytes are read in place, a word at a time. An ASCII string is then its
 * own UTF-8 and is copied a word at a time, which is what almost every span name, attribute key and HTTP value is.
 * Other strings (UTF-16, or when the JVM's string layout is not the expected one) go through the char-by-char path.
 * Writes take the end of the claimed record and throw rather than write past it.
 */
final class Utf8 {
    private static final long HIGH_BITS = 0x8080_8080_8080_8080L;
    private static final byte LATIN1 = 0;
    private static final long BYTES = UnsafeApi.arrayBaseOffset(byte[].class);
    /** Offsets of {@code String.value} and {@code String.coder}, or -1 when the layout is not the known one. */
    private static final long VALUE;
    private static final long CODER;

    static {
        long value = -1;
        long coder = -1;
        try {
            long v = UnsafeApi.objectFieldOffset(String.class, "value");
            long c = UnsafeApi.objectFieldOffset(String.class, "coder");
            // Trust the layout only if it reads back as expected for a Latin-1 and a UTF-16 string.
            String latin1 = new String(new char[] {'p', 'l', 'u', 'm', 'e'});
            String utf16 = new String(new char[] {'p', '\u0142'});
            if (UnsafeApi.getReference(latin1, v) instanceof byte[] bytes && bytes.length == 5 && bytes[0] == 'p'
                && UnsafeApi.getByte(latin1, c) == LATIN1 && UnsafeApi.getByte(utf16, c) != LATIN1) {
                value = v;
                coder = c;
            }
        } catch (Throwable layoutNotAvailable) {
            // the char-by-char path is used
        }
        VALUE = value;
        CODER = coder;
    }

    private Utf8() {
    }

    /** Whether compact strings are read in place (false: every string takes the char-by-char path). */
    static boolean fastPathEnabled() {
        return VALUE >= 0;
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
        if (VALUE >= 0 && UnsafeApi.getByte(s, CODER) == LATIN1) {
            // Latin-1: one byte per char, two for those from 0x80 (the bytes with their high bit set).
            Object bytes = UnsafeApi.getReference(s, VALUE);
            if (isAscii(bytes, chars)) {
                return chars;
            }
            int extra = 0;
            for (int i = 0; i < chars; i++) {
                extra += UnsafeApi.getByte(bytes, BYTES + i) >>> 31;
            }
            return chars + extra;
        }
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

    /**
     * Writes the first {@code chars} chars of {@code s} at {@code address} of {@code base} (null for off-heap memory,
     * as Unsafe addresses it) and returns the address after the last byte. Throws when the bytes would pass
     * {@code limit}, which only a bug can cause: the record was measured with {@link #encodedLength} first.
     */
    static long write(Object base, long address, long limit, String s, int chars) {
        if (VALUE >= 0 && UnsafeApi.getByte(s, CODER) == LATIN1) {
            Object bytes = UnsafeApi.getReference(s, VALUE);
            check(address + chars, limit);
            if (copyIfAscii(bytes, chars, base, address)) {
                return address + chars;
            }
            for (int i = 0; i < chars; i++) { // what the ASCII copy wrote is written over
                int b = UnsafeApi.getByte(bytes, BYTES + i) & 0xFF;
                if (b < 0x80) {
                    check(address + 1, limit);
                    UnsafeApi.putByte(base, address++, (byte) b);
                } else {
                    check(address + 2, limit);
                    UnsafeApi.putByte(base, address++, (byte) (0xC0 | (b >> 6)));
                    UnsafeApi.putByte(base, address++, (byte) (0x80 | (b & 0x3F)));
                }
            }
            return address;
        }
        for (int i = 0; i < chars; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                check(address + 1, limit);
                UnsafeApi.putByte(base, address++, (byte) c);
            } else if (c < 0x800) {
                check(address + 2, limit);
                UnsafeApi.putByte(base, address++, (byte) (0xC0 | (c >> 6)));
                UnsafeApi.putByte(base, address++, (byte) (0x80 | (c & 0x3F)));
            } else if (Character.isHighSurrogate(c) && i + 1 < chars && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                check(address + 4, limit);
                UnsafeApi.putByte(base, address++, (byte) (0xF0 | (cp >> 18)));
                UnsafeApi.putByte(base, address++, (byte) (0x80 | ((cp >> 12) & 0x3F)));
                UnsafeApi.putByte(base, address++, (byte) (0x80 | ((cp >> 6) & 0x3F)));
                UnsafeApi.putByte(base, address++, (byte) (0x80 | (cp & 0x3F)));
            } else if (Character.isSurrogate(c)) {
                check(address + 1, limit);
                UnsafeApi.putByte(base, address++, (byte) '?');
            } else {
                check(address + 3, limit);
                UnsafeApi.putByte(base, address++, (byte) (0xE0 | (c >> 12)));
                UnsafeApi.putByte(base, address++, (byte) (0x80 | ((c >> 6) & 0x3F)));
                UnsafeApi.putByte(base, address++, (byte) (0x80 | (c & 0x3F)));
            }
        }
        return address;
    }

    /**
     * Whether the first {@code n} bytes of a Latin-1 string's array are all ASCII. Reads whole words and, for the
     * tail, the last word again overlapping the previous one, so no read leaves the first {@code n} bytes.
     */
    private static boolean isAscii(Object bytes, int n) {
        if (n >= 8) {
            long any = UnsafeApi.getLong(bytes, BYTES + n - 8);
            for (int i = 0; i + 8 <= n; i += 8) {
                any |= UnsafeApi.getLong(bytes, BYTES + i);
            }
            return (any & HIGH_BITS) == 0;
        }
        if (n >= 4) {
            int any = UnsafeApi.getInt(bytes, BYTES) | UnsafeApi.getInt(bytes, BYTES + n - 4);
            return (any & (int) HIGH_BITS) == 0;
        }
        int any = 0;
        for (int i = 0; i < n; i++) {
            any |= UnsafeApi.getByte(bytes, BYTES + i);
        }
        return any >= 0;
    }

    /**
     * Copies the first {@code n} bytes of a Latin-1 string's array a word at a time (the tail is one more word that
     * overlaps the bytes before it) and says whether they were all ASCII, in one pass: when not, the caller writes them
     * again as UTF-8 over what was copied.
     */
    private static boolean copyIfAscii(Object bytes, int n, Object base, long address) {
        if (n >= 8) {
            long any = 0;
            int i = 0;
            for (; i + 8 <= n; i += 8) {
                long word = UnsafeApi.getLong(bytes, BYTES + i);
                UnsafeApi.putLong(base, address + i, word);
                any |= word;
            }
            if (i < n) {
                long word = UnsafeApi.getLong(bytes, BYTES + n - 8);
                UnsafeApi.putLong(base, address + n - 8, word);
                any |= word;
            }
            return (any & HIGH_BITS) == 0;
        }
        if (n >= 4) {
            int first = UnsafeApi.getInt(bytes, BYTES);
            int last = UnsafeApi.getInt(bytes, BYTES + n - 4);
            UnsafeApi.putInt(base, address, first);
            UnsafeApi.putInt(base, address + n - 4, last);
            return ((first | last) & (int) HIGH_BITS) == 0;
        }
        int any = 0;
        for (int i = 0; i < n; i++) {
            byte b = UnsafeApi.getByte(bytes, BYTES + i);
            UnsafeApi.putByte(base, address + i, b);
            any |= b;
        }
        return any >= 0;
    }

    /** Throws when a write would end past the claimed record. */
    static void check(long end, long limit) {
        if (end > limit) {
            throw new IllegalStateException("span record overflow: writing to " + end + " past " + limit);
        }
    }
}
