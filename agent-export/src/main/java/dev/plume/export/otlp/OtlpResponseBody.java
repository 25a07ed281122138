package dev.plume.export.otlp;

import java.nio.charset.StandardCharsets;

/**
 * What Plume reads from a backend's response body, which is bounded by the caller and never trusted: a malformed body
 * yields nothing, and any text is stripped of control characters and cut short before it reaches a log line.
 */
final class OtlpResponseBody {
    static final int MAX_MESSAGE_CHARS = 256;

    // ExportTraceServiceResponse.partial_success = 1; ExportTracePartialSuccess.rejected_spans = 1, error_message = 2
    private static final int RESPONSE_PARTIAL_SUCCESS = 1;
    private static final int PARTIAL_REJECTED_SPANS = 1;
    private static final int PARTIAL_ERROR_MESSAGE = 2;
    // google.rpc.Status.message = 2
    private static final int STATUS_MESSAGE = 2;
    private static final int STATUS_DETAILS = 3;
    private static final int ANY_TYPE_URL = 1;
    private static final int ANY_VALUE = 2;
    private static final String RETRY_INFO_TYPE = "google.rpc.RetryInfo";
    private static final int RETRY_INFO_DELAY = 1;
    private static final int DURATION_SECONDS = 1;
    private static final int DURATION_NANOS = 2;

    private OtlpResponseBody() {
    }

    /** The spans a successful response says were rejected (OTLP partial success), or 0. */
    static long rejectedSpans(byte[] body, int length) {
        long partial = find(body, 0, length, RESPONSE_PARTIAL_SUCCESS, ProtobufWriter.WIRE_LEN);
        if (partial < 0) {
            return 0;
        }
        long rejected = find(body, start(partial), end(partial), PARTIAL_REJECTED_SPANS, ProtobufWriter.WIRE_VARINT);
        return Math.max(0, rejected);
    }

    /** The message of a successful response's partial success, or "". */
    static String partialSuccessMessage(byte[] body, int length) {
        long partial = find(body, 0, length, RESPONSE_PARTIAL_SUCCESS, ProtobufWriter.WIRE_LEN);
        if (partial < 0) {
            return "";
        }
        long message = find(body, start(partial), end(partial), PARTIAL_ERROR_MESSAGE, ProtobufWriter.WIRE_LEN);
        return message < 0 ? "" : sanitize(new String(body, start(message), end(message) - start(message),
            StandardCharsets.UTF_8));
    }

    /**
     * The explanation in an error response: the {@code message} of a protobuf {@code google.rpc.Status}, as the OTLP
     * specification asks servers to send, or else the body as text.
     */
    static String errorMessage(byte[] body, int length, String contentType) {
        if (length == 0) {
            return "";
        }
        if (contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).contains("protobuf")) {
            long message = find(body, 0, length, STATUS_MESSAGE, ProtobufWriter.WIRE_LEN);
            return message < 0 ? "" : sanitize(new String(body, start(message), end(message) - start(message),
                StandardCharsets.UTF_8));
        }
        return sanitize(new String(body, 0, length, StandardCharsets.UTF_8));
    }

    /**
     * The delay a {@code google.rpc.Status} asks for in a {@code google.rpc.RetryInfo} detail, in milliseconds; -1
     * when it carries none. Status.details = 3 (Any: type_url = 1, value = 2); RetryInfo.retry_delay = 1
     * (Duration: seconds = 1, nanos = 2).
     */
    static long retryDelayMillis(byte[] status, int length) {
        int from = 0;
        while (from < length) {
            long detail = find(status, from, length, STATUS_DETAILS, ProtobufWriter.WIRE_LEN);
            if (detail < 0) {
                return -1;
            }
            from = end(detail);
            long typeUrl = find(status, start(detail), end(detail), ANY_TYPE_URL, ProtobufWriter.WIRE_LEN);
            if (typeUrl < 0 || !new String(status, start(typeUrl), end(typeUrl) - start(typeUrl),
                StandardCharsets.UTF_8).endsWith("/" + RETRY_INFO_TYPE)) {
                continue;
            }
            long value = find(status, start(detail), end(detail), ANY_VALUE, ProtobufWriter.WIRE_LEN);
            if (value < 0) {
                return 0; // RetryInfo with no delay: retry, with the exporter's own backoff
            }
            long delay = find(status, start(value), end(value), RETRY_INFO_DELAY, ProtobufWriter.WIRE_LEN);
            if (delay < 0) {
                return 0;
            }
            long seconds = Math.max(0, find(status, start(delay), end(delay), DURATION_SECONDS,
                ProtobufWriter.WIRE_VARINT));
            long nanos = Math.max(0, find(status, start(delay), end(delay), DURATION_NANOS,
                ProtobufWriter.WIRE_VARINT));
            return Math.min(seconds, 1L << 30) * 1000 + nanos / 1_000_000;
        }
        return -1;
    }

    /** Whether a {@code google.rpc.Status} carries a {@code google.rpc.RetryInfo} detail. */
    static boolean hasRetryInfo(byte[] status, int length) {
        return retryDelayMillis(status, length) >= 0;
    }

    /** The {@code message} of a protobuf {@code google.rpc.Status}, or "". */
    static String statusMessage(byte[] status, int length) {
        long message = find(status, 0, length, STATUS_MESSAGE, ProtobufWriter.WIRE_LEN);
        return message < 0 ? "" : sanitize(new String(status, start(message), end(message) - start(message),
            StandardCharsets.UTF_8));
    }

    /** One line of printable text, at most {@value #MAX_MESSAGE_CHARS} characters. */
    static String sanitize(String text) {
        StringBuilder clean = new StringBuilder(Math.min(text.length(), MAX_MESSAGE_CHARS));
        boolean space = false;
        for (int i = 0; i < text.length() && clean.length() < MAX_MESSAGE_CHARS; i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                space = clean.length() > 0;
                continue;
            }
            if (space) {
                clean.append(' ');
                space = false;
            }
            clean.append(c);
        }
        if (clean.length() >= MAX_MESSAGE_CHARS) {
            clean.append("...");
        }
        return clean.toString();
    }

    /**
     * Finds the first field with this number and wire type in {@code body[from, to)}. Returns the varint value, or
     * for a length-delimited field its start in the high 32 bits and end in the low 32; -1 when absent or malformed.
     */
    private static long find(byte[] body, int from, int to, int field, int wireType) {
        int index = from;
        while (index < to) {
            long key = varint(body, index, to);
            if (key < 0) {
                return -1;
            }
            index = (int) (key >>> 40);
            int tag = (int) (key & 0xFFFFFFFFFFL);
            int number = tag >>> 3;
            int type = tag & 7;
            long value;
            switch (type) {
                case ProtobufWriter.WIRE_VARINT -> {
                    long v = varint(body, index, to);
                    if (v < 0) {
                        return -1;
                    }
                    index = (int) (v >>> 40);
                    value = v & 0xFFFFFFFFFFL;
                }
                case ProtobufWriter.WIRE_I64 -> {
                    index += 8;
                    value = 0;
                }
                case ProtobufWriter.WIRE_I32 -> {
                    index += 4;
                    value = 0;
                }
                case ProtobufWriter.WIRE_LEN -> {
                    long v = varint(body, index, to);
                    if (v < 0) {
                        return -1;
                    }
                    int start = (int) (v >>> 40);
                    long length = v & 0xFFFFFFFFFFL;
                    if (length > to - start) {
                        return -1;
                    }
                    index = start + (int) length;
                    value = ((long) start << 32) | index;
                }
                default -> {
                    return -1;
                }
            }
            if (index > to) {
                return -1;
            }
            if (number == field && type == wireType) {
                return value;
            }
        }
        return -1;
    }

    /** A varint of at most 40 bits at {@code index}: the next index in the high 24 bits, the value in the low 40. */
    private static long varint(byte[] body, int index, int to) {
        long value = 0;
        for (int shift = 0; shift < 40; shift += 7) {
            if (index >= to) {
                return -1;
            }
            byte b = body[index++];
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return ((long) index << 40) | (value & 0xFFFFFFFFFFL);
            }
        }
        return -1;
    }

    private static int start(long range) {
        return (int) (range >>> 32);
    }

    private static int end(long range) {
        return (int) range;
    }
}
