package dev.plume.export.otlp;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.export.DropReason;
import dev.plume.export.ExporterMetrics;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Encoded batches between the exporter thread and the backend. The exporter thread only {@link #offer}s and never
 * waits; the {@code plume-otlp-sender} thread sends up to {@code max.in.flight} batches at once, and puts a batch that
 * failed in a retryable way back at the head of the queue behind a backoff ({@code Retry-After}, {@code RetryInfo},
 * or exponential with jitter). The queue is bounded in batches and bytes: when it is full, the <em>oldest</em> waiting
 * batch is dropped (counted as {@link DropReason#QUEUE_FULL}), because during an incident the newest spans are the
 * ones an operator needs. A backend that cannot be reached at all does not use up a batch's attempts, so batches wait
 * (within the bound) for a backend that starts after the application.
 */
final class SendQueue {
    /** A {@code Retry-After} or {@code RetryInfo} longer than this is shortened to it. */
    static final long MAX_SERVER_DELAY_MILLIS = TimeUnit.MINUTES.toMillis(5);
    private static final double BACKOFF_MULTIPLIER = 1.5;
    private static final double JITTER = 0.2;

    private static final class Batch {
        final byte[] payload;
        final int spans;
        int attempts;

        Batch(byte[] payload, int spans) {
            this.payload = payload;
            this.spans = spans;
        }
    }

    private final TraceSender sender;
    private final ExporterMetrics metrics;
    private final OtlpExporterSettings.Delivery delivery;
    private final long timeoutMillis;
    private final String destination;
    private final Object lock = new Object();
    private final Thread thread;

    // guarded by lock
    private final ArrayDeque<Batch> waiting = new ArrayDeque<>();
    private final List<Batch> inFlight = new ArrayList<>();
    private long waitingBytes;
    private long backoffUntilNanos = System.nanoTime();
    private int consecutiveFailures;
    private boolean closed;

    SendQueue(TraceSender sender, ExporterMetrics metrics, OtlpExporterSettings settings, String destination) {
        this.sender = sender;
        this.metrics = metrics;
        this.delivery = settings.delivery();
        this.timeoutMillis = settings.timeoutMillis();
        this.destination = destination;
        this.thread = new Thread(this::run, "plume-otlp-sender");
        thread.setDaemon(true);
        thread.setContextClassLoader(SendQueue.class.getClassLoader());
        thread.start();
    }

    /**
     * Queues a batch, dropping the oldest waiting batches to make room; returns false (and queues nothing) when this
     * batch alone is larger than the queue or the queue is closed. Never waits.
     */
    boolean offer(byte[] payload, int spans) {
        int evictedBatches = 0;
        int evictedSpans = 0;
        synchronized (lock) {
            if (closed || payload.length > delivery.queueMaxBytes()) {
                return false;
            }
            while (!waiting.isEmpty() && (waiting.size() + 1 > delivery.queueMaxBatches()
                || waitingBytes + payload.length > delivery.queueMaxBytes())) {
                Batch oldest = waiting.pollFirst();
                waitingBytes -= oldest.payload.length;
                metrics.queuedDropped(oldest.spans, DropReason.QUEUE_FULL);
                evictedBatches++;
                evictedSpans += oldest.spans;
            }
            waiting.addLast(new Batch(payload, spans));
            waitingBytes += payload.length;
            publishSize();
            lock.notifyAll();
        }
        if (evictedBatches > 0) {
            PlumeLog.warnRateLimited("otlp-queue-full " + destination, "OTLP send queue for " + destination
                + " is full (" + delivery.queueMaxBatches() + " batches or " + delivery.queueMaxBytes()
                + " bytes): dropped the oldest " + evictedBatches + " batches (" + evictedSpans + " spans) to keep the"
                + " newest");
        }
        return true;
    }

    /** Waits until every queued batch is done or the deadline passes; true when the queue is empty. */
    boolean awaitEmpty(long deadlineNanos) {
        synchronized (lock) {
            while (!waiting.isEmpty() || !inFlight.isEmpty()) {
                long remaining = deadlineNanos - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                try {
                    lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    /** Stops sending: what is still queued or in flight is dropped as {@link DropReason#SHUTDOWN_TIMEOUT}. */
    void close() {
        synchronized (lock) {
            closed = true;
            for (Batch batch : waiting) {
                metrics.queuedDropped(batch.spans, DropReason.SHUTDOWN_TIMEOUT);
            }
            for (Batch batch : inFlight) {
                metrics.queuedDropped(batch.spans, DropReason.SHUTDOWN_TIMEOUT);
            }
            waiting.clear();
            inFlight.clear();
            waitingBytes = 0;
            publishSize();
            lock.notifyAll();
        }
    }

    private void run() {
        while (true) {
            Batch next;
            synchronized (lock) {
                while (true) {
                    if (closed) {
                        return;
                    }
                    long wait = backoffUntilNanos - System.nanoTime();
                    try {
                        if (inFlight.size() < delivery.maxInFlight() && !waiting.isEmpty()) {
                            if (wait <= 0) {
                                next = waiting.pollFirst();
                                waitingBytes -= next.payload.length;
                                inFlight.add(next);
                                publishSize();
                                break;
                            }
                            lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)));
                        } else {
                            lock.wait();
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
            next.attempts++;
            long start = System.nanoTime();
            Batch sent = next;
            try {
                sender.send(sent.payload, timeoutMillis, result -> done(sent, result, start));
            } catch (RuntimeException e) {
                done(sent, SendResult.failed(0, OtlpHttpClient.describe(e), false), start);
            }
        }
    }

    private void done(Batch batch, SendResult result, long startNanos) {
        long now = System.nanoTime();
        metrics.requestDone(batch.payload.length, now - startNanos);
        String warning = null;
        String warningKey = null;
        synchronized (lock) {
            if (!inFlight.remove(batch)) {
                return; // closed meanwhile: already counted
            }
            if (result.delivered()) {
                consecutiveFailures = 0;
                int rejected = (int) Math.min(batch.spans, result.rejectedSpans());
                metrics.queuedDelivered(batch.spans, rejected);
                if (rejected > 0) {
                    warningKey = "otlp-export-rejected " + destination;
                    warning = "OTLP backend at " + destination + " rejected " + rejected + " of " + batch.spans
                        + " spans" + (result.message().isEmpty() ? "" : ": " + result.message());
                }
            } else if (result.retryable() && (result.unreachable() || batch.attempts < delivery.maxAttempts())) {
                consecutiveFailures++;
                long delay = result.retryAfterMillis() >= 0
                    ? Math.min(result.retryAfterMillis(), MAX_SERVER_DELAY_MILLIS)
                    : backoffMillis(consecutiveFailures);
                backoffUntilNanos = Math.max(backoffUntilNanos, now + TimeUnit.MILLISECONDS.toNanos(delay));
                waiting.addFirst(batch);
                waitingBytes += batch.payload.length;
                metrics.retryScheduled();
                warningKey = "otlp-export-retry " + destination;
                warning = "OTLP export to " + destination + " failed: " + describe(result) + "; " + batch.spans
                    + " spans kept for a retry in " + delay + " ms (" + (waiting.size()) + " batches waiting)";
            } else {
                DropReason reason = result.retryable() ? DropReason.RETRIES_EXHAUSTED : DropReason.NON_RETRYABLE;
                metrics.queuedDropped(batch.spans, reason);
                // one key per destination, so a second endpoint's trouble is not hidden by the first one's
                warningKey = "otlp-export-failed " + destination;
                warning = "OTLP export of " + batch.spans + " spans to " + destination + " failed: "
                    + describe(result) + "; the spans are dropped (" + reason.description()
                    + (result.retryable() ? " after " + batch.attempts + " attempts" : "") + ")";
            }
            publishSize();
            // logged before anyone waiting for the queue wakes, so the line is out when the counts show
            if (warning != null) {
                PlumeLog.warnRateLimited(warningKey, warning);
            }
            lock.notifyAll();
        }
    }

    /** The delay before the next attempt after {@code failures} failures in a row, with jitter of 20% either way. */
    long backoffMillis(int failures) {
        double backoff = delivery.initialBackoffMillis() * Math.pow(BACKOFF_MULTIPLIER, Math.min(failures - 1, 40));
        double capped = Math.min(backoff, delivery.maxBackoffMillis());
        double jitter = 1 - JITTER + 2 * JITTER * ThreadLocalRandom.current().nextDouble();
        return Math.max(1, (long) (capped * jitter));
    }

    private void publishSize() {
        metrics.queueSize(waiting.size() + inFlight.size(), waitingBytes);
    }

    private static String describe(SendResult result) {
        String status = result.grpcStatus() >= 0 || result.httpStatus() == 0 ? "" : "HTTP " + result.httpStatus();
        if (result.message().isEmpty()) {
            return status.isEmpty() ? "no response" : status;
        }
        return status.isEmpty() ? result.message() : status + " \"" + result.message() + "\"";
    }
}
