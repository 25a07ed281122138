package dev.plume.export.otlp;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Delivers encoded OTLP {@code ExportTraceServiceRequest}s to the backend (OTLP/HTTP or OTLP/gRPC). The exporter thread
 * turns each encoded batch into a payload once ({@link #prepare}: compression, framing); the payload is then sent, and
 * possibly re-sent, from the send queue without blocking the exporter thread.
 */
public interface TraceSender {
    /**
     * The bytes to put on the wire for {@code request[0, length)}, in a payload the caller owns, its array taken from
     * {@code pool} (null: a new array). The request array is the encoder's and is reused after this returns. Called on
     * the exporter thread only.
     */
    Payload prepare(byte[] request, int length, PayloadPool pool);

    /**
     * The bytes to put on the wire for the batch {@code encoder} holds, as {@link #prepare(byte[], int, PayloadPool)}
     * makes them. Senders that neither compress nor frame differently write the request straight into the payload (one
     * copy of the spans).
     */
    default Payload prepare(OtlpTraceEncoder encoder, PayloadPool pool) {
        int length = encoder.encodeRequest();
        return prepare(encoder.requestArray(), length, pool);
    }

    /**
     * Sends a payload made by {@link #prepare} without waiting; {@code done} is called exactly once, on another thread,
     * with the answer (never an exception), after at most about {@code timeoutMillis}.
     */
    void send(Payload payload, long timeoutMillis, Consumer<SendResult> done);

    /** Prepares and sends one request and waits for the answer; for tests and tools, never the exporter thread. */
    default SendResult send(byte[] request, int length, long timeoutMillis) {
        CompletableFuture<SendResult> answer = new CompletableFuture<>();
        send(prepare(request, length, null), timeoutMillis, answer::complete);
        try {
            return answer.get(timeoutMillis + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return SendResult.failed(0, "interrupted", true);
        } catch (ExecutionException | TimeoutException e) {
            return SendResult.failed(0, "timed out", true);
        }
    }

    /** The {@link PayloadFormat} of what {@link #prepare} makes. */
    int payloadFormat();

    /** Abandons the calls still running (their {@code done} still runs) and releases connections and threads. */
    void shutdown();
}
