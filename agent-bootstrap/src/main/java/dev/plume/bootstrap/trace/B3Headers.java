package dev.plume.bootstrap.trace;

/**
 * Zipkin's B3 headers, read: the single {@code b3} header ({@code traceid-spanid[-sampling[-parentspanid]]}, a trace
 * id of 16 or 32 hex digits, sampling {@code 1}, {@code 0} or {@code d} for debug) and the multiple {@code X-B3-*}
 * headers ({@code X-B3-Sampled} {@code 1}/{@code 0}/{@code true}/{@code false}, {@code X-B3-Flags: 1} for debug). A
 * header that is only a sampling decision carries no parent: it is ignored, as the OpenTelemetry B3 propagator does.
 * Ids that are not lowercase hex of the right length, or all zeros, are no parent.
 */
final class B3Headers {
    private B3Headers() {
    }

    static void single(String header, Propagation.Extracted into) {
        if (header == null) {
            return;
        }
        int first = header.indexOf('-');
        if (first != 16 && first != 32) {
            return;
        }
        int second = header.indexOf('-', first + 1);
        int spanEnd = second < 0 ? header.length() : second;
        if (spanEnd - first - 1 != 16) {
            return;
        }
        boolean sampled = true; // absent: the receiver decides; Plume's parent-based sampler then follows "sampled"
        if (second >= 0) {
            int third = header.indexOf('-', second + 1);
            String sampling = header.substring(second + 1, third < 0 ? header.length() : third);
            switch (sampling) {
                case "1", "d" -> sampled = true;
                case "0" -> sampled = false;
                default -> {
                    return;
                }
            }
        }
        set(header, 0, first, first + 1, sampled, into);
    }

    static void multi(String traceId, String spanId, String sampledHeader, String flags, Propagation.Extracted into) {
        if (traceId == null || spanId == null || (traceId.length() != 16 && traceId.length() != 32)
            || spanId.length() != 16) {
            return;
        }
        boolean sampled = true;
        if ("1".equals(flags)) {
            sampled = true;
        } else if (sampledHeader != null) {
            switch (sampledHeader) {
                case "1", "true" -> sampled = true;
                case "0", "false" -> sampled = false;
                default -> {
                    return;
                }
            }
        }
        String joined = traceId + "-" + spanId;
        set(joined, 0, traceId.length(), traceId.length() + 1, sampled, into);
    }

    /** Sets the parent from the trace id at {@code [traceStart, traceEnd)} and the 16-digit span id at spanStart. */
    private static void set(String s, int traceStart, int traceEnd, int spanStart, boolean sampled,
                            Propagation.Extracted into) {
        if (!allHex(s, traceStart, traceEnd - traceStart) || !allHex(s, spanStart, 16)) {
            return;
        }
        long high = traceEnd - traceStart == 32 ? hex16(s, traceStart) : 0;
        long low = hex16(s, traceEnd - 16);
        long span = hex16(s, spanStart);
        if ((high | low) == 0 || span == 0) {
            return;
        }
        into.traceIdHigh = high;
        into.traceIdLow = low;
        into.spanId = span;
        into.traceFlags = sampled ? W3cTraceContext.FLAG_SAMPLED : 0;
        into.traceState = null; // a B3 parent has no W3C trace state
        into.hasParent = true;
    }

    private static boolean allHex(String s, int from, int count) {
        if (from + count > s.length()) {
            return false;
        }
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /** Sixteen hex digits that {@link #allHex} accepted. */
    private static long hex16(String s, int from) {
        long value = 0;
        for (int i = from; i < from + 16; i++) {
            char c = s.charAt(i);
            value = (value << 4) | (c <= '9' ? c - '0' : c - 'a' + 10);
        }
        return value;
    }
}
