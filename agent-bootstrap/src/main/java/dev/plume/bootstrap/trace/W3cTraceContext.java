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
    /** The most list members a {@code tracestate} may have. */
    public static final int MAX_TRACESTATE_MEMBERS = 32;
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    /** Each ASCII character's value as a lowercase hex digit, or -1. */
    private static final byte[] DIGITS = digits();
    private static final byte[] HEX_BYTES = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e',
        'f'};

    private W3cTraceContext() {
    }

    private static byte[] digits() {
        byte[] digits = new byte[128];
        java.util.Arrays.fill(digits, (byte) -1);
        for (int i = 0; i < 16; i++) {
            digits["0123456789abcdef".charAt(i)] = (byte) i;
        }
        return digits;
    }

    /**
     * Whether the header is a valid traceparent: known layout, lowercase hex, non-zero ids, version not {@code ff}.
     * Future versions are accepted when they start with the version-00 fields (and a '-' follows them), as the
     * specification asks.
     */
    public static boolean isValid(CharSequence header) {
        return read(header, null);
    }

    /**
     * {@link #isValid}, and for a valid header its trace id, parent span id and sampled flag into {@code into} (when
     * not null; left as it was otherwise), in one pass over the characters.
     */
    static boolean read(CharSequence header, Propagation.Extracted into) {
        if (header == null) {
            return false;
        }
        int length = header.length();
        if (length < TRACEPARENT_LENGTH) {
            return false;
        }
        int version = hexByte(header, 0);
        if (version < 0 || version == 0xff) {
            return false;
        }
        if (version == 0 && length != TRACEPARENT_LENGTH) {
            return false;
        }
        if (length > TRACEPARENT_LENGTH && header.charAt(TRACEPARENT_LENGTH) != '-') {
            return false;
        }
        if (header.charAt(2) != '-' || header.charAt(35) != '-' || header.charAt(52) != '-') {
            return false;
        }
        int bad = 0; // any digit that is not one is -1: the or of all is negative
        long high = 0;
        long low = 0;
        long parent = 0;
        for (int i = 3; i < 19; i++) {
            int digit = digit(header.charAt(i));
            bad |= digit;
            high = high << 4 | digit;
        }
        for (int i = 19; i < 35; i++) {
            int digit = digit(header.charAt(i));
            bad |= digit;
            low = low << 4 | digit;
        }
        for (int i = 36; i < 52; i++) {
            int digit = digit(header.charAt(i));
            bad |= digit;
            parent = parent << 4 | digit;
        }
        int flags = hexByte(header, 53);
        if ((bad | flags) < 0 || (high | low) == 0 || parent == 0) {
            return false;
        }
        if (into != null) {
            into.traceIdHigh = high;
            into.traceIdLow = low;
            into.spanId = parent;
            into.traceFlags = flags & FLAG_SAMPLED;
        }
        return true;
    }

    /**
     * The {@code tracestate} to inherit from what was received (several {@code tracestate} headers are one list, their
     * values joined with {@code ','} first, see {@link #join}), or null when there is nothing valid to inherit: an
     * empty list, a member that breaks the grammar (a key or value with illegal characters or over its length limits,
     * a multi-tenant key that is not {@code tenant@system}, a member without {@code =}), a key given twice, more than
     * {@value #MAX_TRACESTATE_MEMBERS} members, or more than {@value #MAX_TRACESTATE_LENGTH} characters. A valid list
     * is inherited whole, as received. Reads the characters in place; allocates nothing.
     */
    public static String validTracestate(String tracestate) {
        if (tracestate == null || tracestate.length() > MAX_TRACESTATE_LENGTH) {
            return null;
        }
        int members = 0;
        int length = tracestate.length();
        int start = 0;
        while (start <= length) {
            int end = tracestate.indexOf(',', start);
            if (end < 0) {
                end = length;
            }
            int from = start;
            int to = end;
            while (from < to && isOws(tracestate.charAt(from))) {
                from++;
            }
            while (to > from && isOws(tracestate.charAt(to - 1))) {
                to--;
            }
            if (from < to) { // empty and whitespace-only members are allowed, and not counted
                int eq = tracestate.indexOf('=', from);
                if (eq < 0 || eq >= to || !isKey(tracestate, from, eq) || !isValue(tracestate, eq + 1, to)) {
                    return null;
                }
                if (++members > MAX_TRACESTATE_MEMBERS || keySeenBefore(tracestate, start, from, eq)) {
                    return null;
                }
            }
            start = end + 1;
        }
        return members == 0 ? null : tracestate;
    }

    /**
     * The {@code traceparent} among a request's values of that header: the one value, or null when there is none or
     * more than one (two parents are no parent: the request starts a new trace).
     */
    public static String single(java.util.Enumeration<String> values) {
        if (values == null || !values.hasMoreElements()) {
            return null;
        }
        String first = values.nextElement();
        return values.hasMoreElements() ? null : first;
    }

    /** The values of a header received several times, as one list ({@code ','} between); null when there is none. */
    public static String join(java.util.Enumeration<String> values) {
        if (values == null || !values.hasMoreElements()) {
            return null;
        }
        String first = values.nextElement();
        if (!values.hasMoreElements()) {
            return first;
        }
        StringBuilder joined = new StringBuilder(first);
        while (values.hasMoreElements()) {
            joined.append(',').append(values.nextElement());
        }
        return joined.toString();
    }

    /** As {@link #join(java.util.Enumeration)}, for a list of values. */
    public static String join(java.util.List<String> values) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        return values.size() == 1 ? values.get(0) : String.join(",", values);
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }

    /**
     * {@code lcalpha 0*255(lcalpha / DIGIT / "_" / "-" / "*" / "/")}, or the multi-tenant
     * {@code (lcalpha / DIGIT) 0*240(...) "@" lcalpha 0*13(...)}.
     */
    private static boolean isKey(String s, int from, int to) {
        int at = -1;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '@') {
                if (at >= 0) {
                    return false;
                }
                at = i;
            } else if (!isKeyChar(c)) {
                return false;
            }
        }
        if (at < 0) {
            return to - from >= 1 && to - from <= 256 && isLcAlpha(s.charAt(from));
        }
        int tenant = at - from;
        int system = to - at - 1;
        char first = s.charAt(from);
        return tenant >= 1 && tenant <= 241 && (isLcAlpha(first) || isDigit(first))
            && system >= 1 && system <= 14 && isLcAlpha(s.charAt(at + 1));
    }

    private static boolean isKeyChar(char c) {
        return isLcAlpha(c) || isDigit(c) || c == '_' || c == '-' || c == '*' || c == '/';
    }

    private static boolean isLcAlpha(char c) {
        return c >= 'a' && c <= 'z';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** {@code 0*255(chr) nblk-chr}: printable ASCII but {@code ,} and {@code =}, spaces inside, not at the end. */
    private static boolean isValue(String s, int from, int to) {
        if (to - from < 1 || to - from > 256 || s.charAt(to - 1) == ' ') {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == ',' || c == '=') {
                return false;
            }
        }
        return true;
    }

    /** Whether the key at {@code [from, eq)} is also the key of a member before {@code limit}. */
    private static boolean keySeenBefore(String s, int limit, int from, int eq) {
        int keyLength = eq - from;
        int start = 0;
        while (start < limit) {
            int end = s.indexOf(',', start);
            if (end < 0 || end > limit) {
                end = limit;
            }
            int at = start;
            while (at < end && isOws(s.charAt(at))) {
                at++;
            }
            if (end - at > keyLength && s.charAt(at + keyLength) == '=' && s.regionMatches(at, s, from, keyLength)) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }

    /**
     * Formats a version-00 traceparent. The characters are written as Latin-1 bytes, which the string takes as they
     * are: no char[] and no compression pass.
     */
    public static String format(long traceIdHigh, long traceIdLow, long spanId, int traceFlags) {
        return format(new byte[TRACEPARENT_LENGTH], traceIdHigh, traceIdLow, spanId, traceFlags);
    }

    /**
     * {@link #format(long, long, long, int)} written through {@code scratch} (at least {@link #TRACEPARENT_LENGTH}
     * bytes, used by one thread at a time), so that the string's own copy is the one array it allocates.
     */
    @SuppressWarnings("deprecation") // String(byte[], int hibyte, ...): hibyte 0 is a plain copy into a Latin-1 string
    public static String format(byte[] scratch, long traceIdHigh, long traceIdLow, long spanId, int traceFlags) {
        scratch[0] = '0';
        scratch[1] = '0';
        scratch[2] = '-';
        writeHex(scratch, 3, traceIdHigh);
        writeHex(scratch, 19, traceIdLow);
        scratch[35] = '-';
        writeHex(scratch, 36, spanId);
        scratch[52] = '-';
        scratch[53] = HEX_BYTES[(traceFlags >> 4) & 0xf];
        scratch[54] = HEX_BYTES[traceFlags & 0xf];
        return new String(scratch, 0, 0, TRACEPARENT_LENGTH);
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

    private static void writeHex(byte[] bytes, int offset, long value) {
        for (int i = 15; i >= 0; i--) {
            bytes[offset + i] = HEX_BYTES[(int) (value & 0xf)];
            value >>>= 4;
        }
    }

    private static void writeHex(char[] chars, int offset, long value) {
        for (int i = 15; i >= 0; i--) {
            chars[offset + i] = HEX[(int) (value & 0xf)];
            value >>>= 4;
        }
    }

    private static int hexByte(CharSequence s, int offset) {
        int high = digit(s.charAt(offset));
        int low = digit(s.charAt(offset + 1));
        return high < 0 || low < 0 ? -1 : (high << 4) | low;
    }

    /** A lowercase hex digit's value, or -1. */
    private static int digit(char c) {
        return c < DIGITS.length ? DIGITS[c] : -1;
    }
}
