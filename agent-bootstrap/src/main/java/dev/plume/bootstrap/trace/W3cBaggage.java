package dev.plume.bootstrap.trace;

/**
 * The W3C {@code baggage} header, checked before it is carried on: {@code key=value(;property)*} members separated
 * by {@code ','} (optional whitespace around), keys HTTP tokens, values of baggage octets (printable ASCII but
 * {@code " , ; \}, the rest percent-encoded). Members that break the grammar are dropped, the valid ones kept in their
 * order; at most {@value #MAX_MEMBERS} members and {@value #MAX_LENGTH} bytes are carried (the specification's
 * limits), what lies beyond is dropped whole members at a time. A header that is valid as received is carried as the
 * same string (no allocation).
 */
public final class W3cBaggage {
    static final int MAX_MEMBERS = 180;
    static final int MAX_LENGTH = 8192;

    private W3cBaggage() {
    }

    /** The baggage to carry from a received header (several headers joined with ','), or null for none. */
    public static String valid(String header) {
        if (header == null) {
            return null;
        }
        int members = scan(header, null);
        if (members >= 0) {
            return members == 0 ? null : header; // valid as received, within the limits: carried as it is
        }
        StringBuilder kept = new StringBuilder();
        scan(header, kept);
        return kept.length() == 0 ? null : kept.toString();
    }

    /**
     * Walks the members. Without {@code kept}: the number of members when every one is valid and the limits hold, else
     * -1. With {@code kept}: appends the valid members that fit the limits, and returns their number.
     */
    private static int scan(String header, StringBuilder kept) {
        int members = 0;
        int length = header.length();
        int start = 0;
        while (start <= length) {
            int end = header.indexOf(',', start);
            if (end < 0) {
                end = length;
            }
            int from = start;
            int to = end;
            while (from < to && isOws(header.charAt(from))) {
                from++;
            }
            while (to > from && isOws(header.charAt(to - 1))) {
                to--;
            }
            if (from < to) {
                boolean fits = members < MAX_MEMBERS
                    && (kept == null ? to : kept.length() + (kept.length() == 0 ? 0 : 1) + to - from) <= MAX_LENGTH;
                if (isMember(header, from, to) && fits) {
                    members++;
                    if (kept != null) {
                        kept.append(kept.length() == 0 ? "" : ",").append(header, from, to);
                    }
                } else if (kept == null) {
                    return -1;
                }
            }
            start = end + 1;
        }
        return members;
    }

    /** {@code key OWS "=" OWS value *(OWS ";" OWS property)}. */
    private static boolean isMember(String s, int from, int to) {
        int eq = s.indexOf('=', from);
        if (eq < 0 || eq >= to) {
            return false;
        }
        int keyEnd = eq;
        while (keyEnd > from && isOws(s.charAt(keyEnd - 1))) {
            keyEnd--;
        }
        if (keyEnd == from) {
            return false;
        }
        for (int i = from; i < keyEnd; i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        int valueStart = eq + 1;
        while (valueStart < to && isOws(s.charAt(valueStart))) {
            valueStart++;
        }
        int semicolon = s.indexOf(';', valueStart);
        int valueEnd = semicolon < 0 || semicolon > to ? to : semicolon;
        int trimmedEnd = valueEnd;
        while (trimmedEnd > valueStart && isOws(s.charAt(trimmedEnd - 1))) {
            trimmedEnd--;
        }
        for (int i = valueStart; i < trimmedEnd; i++) {
            char c = s.charAt(i);
            if (!isBaggageOctet(c)) {
                return false;
            }
            if (c == '%' && (i + 2 >= trimmedEnd || hex(s.charAt(i + 1)) < 0 || hex(s.charAt(i + 2)) < 0)) {
                return false;
            }
        }
        // properties: key or key=value, separated by ';' (each checked loosely: tokens and baggage octets)
        for (int i = valueEnd; i < to; i++) {
            char c = s.charAt(i);
            if (!(c == ';' || c == '=' || isOws(c) || isBaggageOctet(c))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }

    private static boolean isTokenChar(char c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        return "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    /** {@code %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E}. */
    private static boolean isBaggageOctet(char c) {
        return c == 0x21 || c >= 0x23 && c <= 0x2b || c >= 0x2d && c <= 0x3a || c >= 0x3c && c <= 0x5b
            || c >= 0x5d && c <= 0x7e;
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
            return (c | 0x20) - 'a' + 10;
        }
        return -1;
    }
}
