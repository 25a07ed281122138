package dev.plume.export.otlp;

/**
 * The answer to one export request.
 *
 * @param delivered        the backend accepted the request (HTTP 2xx, or gRPC status OK)
 * @param httpStatus       the HTTP status, or 0 when there was no response (connection refused, timeout)
 * @param grpcStatus       the gRPC status code, or -1 for OTLP/HTTP and when there was no answer
 * @param rejectedSpans    spans the backend rejected in an accepted request (OTLP partial success)
 * @param message          the backend's or the transport's explanation, sanitized and bounded; may be empty
 * @param retryable        whether the OTLP specification calls the failure transient
 * @param retryAfterMillis the delay the backend asked for ({@code Retry-After}, {@code RetryInfo}), or -1
 * @param unreachable      the backend could not be reached at all (refused, unknown host): the request never arrived
 */
public record SendResult(boolean delivered, int httpStatus, int grpcStatus, long rejectedSpans, String message,
                         boolean retryable, long retryAfterMillis, boolean unreachable) {
    public static SendResult delivered(int httpStatus, long rejectedSpans, String message) {
        return new SendResult(true, httpStatus, -1, rejectedSpans, message, false, -1, false);
    }

    public static SendResult failed(int httpStatus, String message, boolean retryable) {
        return new SendResult(false, httpStatus, -1, 0, message, retryable, -1, false);
    }

    static SendResult failed(int httpStatus, String message, boolean retryable, long retryAfterMillis) {
        return new SendResult(false, httpStatus, -1, 0, message, retryable, retryAfterMillis, false);
    }

    static SendResult unreachable(String message) {
        return new SendResult(false, 0, -1, 0, message, true, -1, true);
    }

    /** Whether the backend answered (an HTTP status arrived): only answered attempts count against the retry limit. */
    public boolean answered() {
        return httpStatus > 0;
    }

    /** HTTP statuses the OTLP/HTTP specification lists as retryable. */
    static boolean isRetryableStatus(int status) {
        return status == 429 || status == 502 || status == 503 || status == 504;
    }
}
