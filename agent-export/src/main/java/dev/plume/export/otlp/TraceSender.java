package dev.plume.export.otlp;

/**
 * Delivers one encoded OTLP {@code ExportTraceServiceRequest} to the backend. A small seam so that retries and a
 * bounded retry queue (and later an OTLP/gRPC sender) wrap or replace the transport without touching the encoder.
 */
public interface TraceSender {
    /**
     * Sends {@code length} bytes of {@code request}, waiting at most {@code timeoutMillis}; never throws. The array is
     * the encoder's and is reused after this returns.
     */
    SendResult send(byte[] request, int length, long timeoutMillis);

    /** Releases connections and threads. */
    void shutdown();
}
