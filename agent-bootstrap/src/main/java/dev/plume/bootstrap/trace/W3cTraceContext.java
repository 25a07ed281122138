package dev.plume.bootstrap.trace;

/**
 * W3C Trace Context {@code traceparent} parsing and formatting. Parsing reads the header's characters in place and
 * allocates nothing; a malformed header is reported as invalid so the caller starts a new trace.
 */
public final class W3cTraceContext {
    public static final int FLAG_SAMPLED = 0x01;
    /** Length of a version-00 header: {@code 00-<32 hex>-<16 hex>-<2 hex>}. */
    public static final int TRACEPARENT_LENGTH = 55;
    /** The longest {@code tracestate} we propagate; longer values are dropped as the specification allows. */
    public static final int MAX_TRACESTATE_LENGTH = 512;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private W3cTraceContext() {
    }

    /**
     * Whether the header is a valid traceparent: known layout, lowercase hex, non-zero ids, version not {@code ff}.
     * Future versions are accepted when they start with the version-00 fields (and a '-' follows them), as the
     * specification asks.
     */
    public static boolean isValid(CharSequence header) {
        if (header == null || header.length() < TRACEPARENT_LENGTH) {
            return false;
        }
        int version = hexByte(header, 0);
        if (version < 0 || version == 0xff) {
            return false;
        }
        if (version == 0 && header.length() != TRACEPARENT_LENGTH) {
            return false;
        }
        if (header.length() > TRACEPARENT_LENGTH && header.charAt(TRACEPARENT_LENGTH) != '-') {
            return false;
        }
        if (header.charAt(2) != '-' || header.charAt(35) != '-' || header.charAt(52) != '-') {
            return false;
        }
        for (int i = 3; i < 35; i++) {
            if (hexDigit(header.charAt(i)) < 0) {
                return false;
            }
        }
        for (int i = 36; i < 52; i++) {
            if (hexDigit(header.charAt(i)) < 0) {
                return false;
            }
        }
        if (hexByte(header, 53) < 0) {
            return false;
        }
        return (traceIdHigh(header) | traceIdLow(header)) != 0 && parentSpanId(header) != 0;
    }

    /** Trace id high 64 bits of a header that {@link #isValid} accepted. */
    public static long traceIdHigh(CharSequence header) {
        return hexLong(header, 3);
    }

    public static long traceIdLow(CharSequence header) {
        return hexLong(header, 19);
    }

    public static long parentSpanId(CharSequence header) {
        return hexLong(header, 36);
    }

    public static int traceFlags(CharSequence header) {
        return hexByte(header, 53);
    }

    /** Formats a version-00 traceparent (the one allocation a client span's propagation needs). */
    public static String format(long traceIdHigh, long traceIdLow, long spanId, int traceFlags) {
        char[] chars = new char[TRACEPARENT_LENGTH];
        chars[0] = '0';
        chars[1] = '0';
        chars[2] = '-';
        writeHex(chars, 3, traceIdHigh);
        writeHex(chars, 19, traceIdLow);
        chars[35] = '-';
        writeHex(chars, 36, spanId);
        chars[52] = '-';
        chars[53] = HEX[(traceFlags >> 4) & 0xf];
        chars[54] = HEX[traceFlags & 0xf];
        return new String(chars);
    }

    /** A lowercase 32-character hex trace id (for logs and the console exporter). */
    public static String traceIdHex(long high, long low) {
        char[] chars = new char[32];
        writeHex(chars, 0, high);
        writeHex(chars, 16, low);
        return new String(chars);
    }

    public static String spanIdHex(long spanId) {
        char[] chars = new char[16];
        writeHex(chars, 0, spanId);
        return new String(chars);
    }

    private static void writeHex(char[] chars, int offset, long value) {
        for (int i = 15; i >= 0; i--) {
            chars[offset + i] = HEX[(int) (value & 0xf)];
            value >>>= 4;
        }
    }

    private static long hexLong(CharSequence s, int offset) {
        long value = 0;
        for (int i = 0; i < 16; i++) {
            value = (value << 4) | hexDigit(s.charAt(offset + i));
        }
        return value;
    }

    private static int hexByte(CharSequence s, int offset) {
        int high = hexDigit(s.charAt(offset));
        int low = hexDigit(s.charAt(offset + 1));
        return high < 0 || low < 0 ? -1 : (high << 4) | low;
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    }
}
