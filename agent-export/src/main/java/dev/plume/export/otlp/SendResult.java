package dev.plume.export.otlp;

/**
 * The answer to one export request.
 *
 * @param delivered     the backend accepted the request (HTTP 2xx)
 * @param httpStatus    the HTTP status, or 0 when there was no response (connection refused, timeout)
 * @param rejectedSpans spans the backend rejected in an accepted request (OTLP partial success)
 * @param message       the backend's or the transport's explanation, sanitized and bounded; may be empty
 * @param retryable     whether the OTLP specification calls the failure transient (for the retry policy to come)
 */
public record SendResult(boolean delivered, int httpStatus, long rejectedSpans, String message, boolean retryable) {
    public static SendResult delivered(int httpStatus, long rejectedSpans, String message) {
        return new SendResult(true, httpStatus, rejectedSpans, message, false);
    }

    public static SendResult failed(int httpStatus, String message, boolean retryable) {
        return new SendResult(false, httpStatus, 0, message, retryable);
    }

    /** HTTP statuses the OTLP/HTTP specification lists as retryable. */
    static boolean isRetryableStatus(int status) {
        return status == 429 || status == 502 || status == 503 || status == 504;
    }
}
