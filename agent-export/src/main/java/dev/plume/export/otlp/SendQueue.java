package dev.plume.export.otlp;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.Redaction;
import dev.plume.export.DropReason;
import dev.plume.export.ExporterMetrics;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Encoded batches between the exporter thread and the backend. The exporter thread only {@link #offer}s and never
 * waits; the {@code plume-otlp-sender} thread sends up to {@code max.in.flight} batches at once, and puts a batch that
 * failed in a retryable way back at the head of the queue behind a backoff ({@code Retry-After}, {@code RetryInfo},
 * or exponential with jitter).
 *
 * <p>Retries, as the OTLP specification describes them, counted by answers: a batch may be answered with a retryable
 * error {@code plume.exporter.retry.max.attempts} times. A backend that cannot be reached, or that does not answer in
 * time, uses up none of them, so batches wait (within the queue's bound) however long it is away and are delivered
 * when it answers, through the retryable errors that follow (a collector starting up answers {@code UNAVAILABLE}).
 *
 * <p>The queue is bounded in batches and bytes. When it is full the <em>oldest</em> waiting batch leaves memory: to
 * the {@link Spool} when one is configured, else dropped ({@link DropReason#QUEUE_FULL}), because during an incident
 * the newest spans are the ones an operator needs. With a spool, a batch whose retries are used up goes there too.
 * Batches on disk are older than any in memory, so they are sent first, oldest first (a spooled batch that fails is
 * given back to the disk, behind the backoff). While the backend does not accept anything, one request at a time probes
 * it, so it is not hammered and the batches keep their order. Log lines are written outside the lock, so a blocked stderr never stalls the
 * exporter thread.
 */
final class SendQueue {
    /** A {@code Retry-After} or {@code RetryInfo} longer than this is shortened to it. */
    static final long MAX_SERVER_DELAY_MILLIS = TimeUnit.MINUTES.toMillis(5);
    private static final double BACKOFF_MULTIPLIER = 1.5;
    private static final double JITTER = 0.2;
    private static final long SPOOL_RESCAN_MILLIS = 5_000;
    private static final long CLOSE_JOIN_MILLIS = 2_000;

    private static final class Batch {
        /** Released to its pool once its life ends outside {@link #close} (never while a call may still write it). */
        final Payload payload;
        final int spans;
        /** When the batch was made: spool files are named by it, so the disk keeps the batches' order. */
        final long createdMillis = System.currentTimeMillis();
        /** Attempts the backend answered with a retryable error. */
        int answeredAttempts;
        /** Non-null for a batch taken from the spool: it stays on disk until delivered. */
        final Spool.Claimed spooled;
        /** Its outcome is counted; {@link #close} must not count it again. */
        boolean settled;

        Batch(Payload payload, int spans, Spool.Claimed spooled) {
            this.payload = payload;
            this.spans = spans;
            this.spooled = spooled;
        }
    }

    private final TraceSender sender;
    private final ExporterMetrics metrics;
    private final OtlpExporterSettings.Delivery delivery;
    private final long timeoutMillis;
    private final String destination;
    private final Spool spool;
    private final int format;
    private final Object lock = new Object();
    private final Thread thread;

    // guarded by lock
    private final ArrayDeque<Batch> waiting = new ArrayDeque<>();
    private final List<Batch> inFlight = new ArrayList<>();
    /** Batches that left memory for the spool, written by the sender thread. */
    private final ArrayDeque<Batch> toSpool = new ArrayDeque<>();
    private long waitingBytes;
    private long toSpoolBytes;
    private long backoffUntilNanos = System.nanoTime();
    private int consecutiveFailures;
    /** The last answer was a delivery; while it is not, one request at a time probes the backend. */
    private boolean answering = true;
    private long deliveries;
    private long lastDeliveryNanos;
    private long refusals;
    /** The last outcome was a refused connection (no delivery since). */
    private boolean refusedLast;
    private boolean closed;

    SendQueue(TraceSender sender, ExporterMetrics metrics, OtlpExporterSettings settings, String destination,
              Spool spool) {
        this.sender = sender;
        this.metrics = metrics;
        this.delivery = settings.delivery();
        this.timeoutMillis = settings.timeoutMillis();
        this.destination = destination;
        this.spool = spool;
        this.format = sender.payloadFormat();
        this.thread = new Thread(this::run, "plume-otlp-sender");
        thread.setDaemon(true);
        thread.setContextClassLoader(SendQueue.class.getClassLoader());
        thread.setUncaughtExceptionHandler((t, e) -> PlumeLog.error("the OTLP sender thread stopped, spans are no"
            + " longer sent: " + Redaction.text(e.toString())));
        thread.start();
    }

    /**
     * Queues a batch, moving the oldest waiting batches out of memory to make room; returns false (and queues nothing)
     * when this batch alone is larger than the queue or the queue is closed. Never waits.
     */
    boolean offer(Payload payload, int spans) {
        int evictedBatches = 0;
        int evictedSpans = 0;
        List<Spool.Claimed> release = null;
        synchronized (lock) {
            if (closed || payload.length() > delivery.queueMaxBytes()) {
                return false;
            }
            while (!waiting.isEmpty() && (waiting.size() + 1 > delivery.queueMaxBatches()
                || waitingBytes + payload.length() > delivery.queueMaxBytes())) {
                Batch oldest = waiting.pollFirst();
                waitingBytes -= oldest.payload.length();
                if (oldest.spooled != null) {
                    // it is on disk already: give it back (below, outside the lock)
                    oldest.settled = true;
                    release = release == null ? new ArrayList<>() : release;
                    release.add(oldest.spooled);
                } else if (!leaveMemory(oldest)) {
                    oldest.payload.release(); // waiting, so no call is writing it
                    evictedBatches++;
                    evictedSpans += oldest.spans;
                }
            }
            waiting.addLast(new Batch(payload, spans, null));
            waitingBytes += payload.length();
            publishSize();
            lock.notifyAll();
        }
        if (release != null) {
            release.forEach(spool::release);
        }
        if (evictedBatches > 0) {
            PlumeLog.warnRateLimited("otlp-queue-full " + destination, "OTLP send queue for " + destination
                + " is full (" + delivery.queueMaxBatches() + " batches or " + delivery.queueMaxBytes()
                + " bytes): dropped the oldest " + evictedBatches + " batches (" + evictedSpans + " spans) to keep the"
                + " newest" + (spool == null ? "; set plume.exporter.spool.dir to keep them on disk" : ""));
        }
        return true;
    }

    /**
     * Whether the backend takes batches more slowly than they come: it is delivering (the last answer was a
     * delivery), yet half the queue's bound is waiting. The exporter thread then reads no more until the queue drains,
     * so a backend that is merely slower than the application holds spans back in the ring (the ring drops and counts
     * the newest when it fills, as the OpenTelemetry SDK's batch processor does) instead of having whole encoded
     * batches dropped here. A backend that is away is not answering: the queue then fills and keeps the newest. With a
     * spool, never: what the queue evicts goes to disk, which holds far more than the ring.
     */
    boolean backlogged() {
        if (spool != null) {
            return false;
        }
        synchronized (lock) {
            return answering && !closed && (waiting.size() * 2 >= delivery.queueMaxBatches()
                || waitingBytes * 2 >= delivery.queueMaxBytes());
        }
    }

    /**
     * A new batch leaves memory (guarded by lock): handed to the sender thread for writing to the spool, or dropped
     * (no spool, or too much already waiting to be written). Returns false when it was dropped.
     */
    private boolean leaveMemory(Batch batch) {
        if (spool != null && toSpoolBytes + batch.payload.length() <= delivery.queueMaxBytes()) {
            toSpool.addLast(batch);
            toSpoolBytes += batch.payload.length();
            return true;
        }
        batch.settled = true;
        metrics.queuedDropped(batch.spans, DropReason.QUEUE_FULL);
        return false;
    }

    /**
     * Waits until every queued batch is done, the deadline passes, or the backend has gone {@code unansweredNanos}
     * without delivering (counted from the call, or from its last delivery if later) — it is unreachable, hanging or
     * failing, and waiting longer only holds the JVM. A refused connection after the call ends the wait at once.
     * True when the queue is empty.
     */
    boolean awaitEmpty(long deadlineNanos, long unansweredNanos) {
        long start = System.nanoTime();
        synchronized (lock) {
            long refusalsAtStart = refusals;
            long deliveriesAtStart = deliveries;
            while (!waiting.isEmpty() || !inFlight.isEmpty()) {
                long now = System.nanoTime();
                long quietUntil = (deliveries > deliveriesAtStart ? lastDeliveryNanos : start) + unansweredNanos;
                boolean refused = refusals > refusalsAtStart && refusedLast;
                if (deadlineNanos - now <= 0 || quietUntil - now <= 0 || refused) {
                    return false;
                }
                try {
                    lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(deadlineNanos, quietUntil) - now)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    /** What the queue still holds, for the line logged when shutdown stops waiting. */
    String describeLeft() {
        int batches;
        long spans = 0;
        synchronized (lock) {
            batches = 0;
            for (Iterable<Batch> list : List.of(waiting, inFlight, toSpool)) {
                for (Batch batch : list) {
                    if (!batch.settled) {
                        batches++;
                        spans += batch.spans;
                    }
                }
            }
        }
        return batches + " batches (" + spans + " spans) " + (spool != null ? "go to the spool " + spool.directory()
            : "are dropped and counted (set plume.exporter.spool.dir to keep them on disk for the next run)");
    }

    /**
     * Stops sending. What is still queued or in flight goes to the spool when there is one (a batch from the spool is
     * given back), else it is dropped as {@link DropReason#SHUTDOWN_TIMEOUT}.
     */
    void close() {
        List<Batch> left = new ArrayList<>();
        synchronized (lock) {
            closed = true;
            left.addAll(toSpool);
            left.addAll(waiting);
            for (Batch batch : inFlight) {
                if (!batch.settled) {
                    left.add(batch);
                }
            }
            toSpool.clear();
            waiting.clear();
            inFlight.clear();
            waitingBytes = 0;
            toSpoolBytes = 0;
            publishSize();
            lock.notifyAll();
        }
        try {
            thread.join(CLOSE_JOIN_MILLIS); // it may be writing to the spool: let it finish and count
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Batch batch : left) {
            batch.settled = true;
            if (batch.spooled != null) {
                spool.release(batch.spooled);
            } else if (!(spool != null && writeToSpool(batch))) {
                metrics.queuedDropped(batch.spans, DropReason.SHUTDOWN_TIMEOUT);
            }
        }
        if (spool != null) {
            spool.close();
        }
    }

    private void run() {
        while (true) {
            // may list the spool directory: outside the lock, which the exporter thread takes to offer
            boolean spoolReady = spool != null && spool.mayHaveBatches();
            Batch next = null;
            List<Batch> write = null;
            boolean fromSpool = false;
            synchronized (lock) {
                if (closed) {
                    return;
                }
                long wait = backoffUntilNanos - System.nanoTime();
                // a backend that is away is probed with one request, the oldest batch, so the rest stays in order
                boolean room = inFlight.size() < (answering ? delivery.maxInFlight() : 1);
                if (!toSpool.isEmpty()) {
                    write = new ArrayList<>(toSpool);
                    toSpool.clear();
                    toSpoolBytes = 0;
                } else if (room && wait <= 0 && spoolReady) {
                    fromSpool = true; // the disk holds the oldest batches
                } else if (room && wait <= 0 && !waiting.isEmpty()) {
                    next = waiting.pollFirst();
                    waitingBytes -= next.payload.length();
                    inFlight.add(next);
                    publishSize();
                } else {
                    long waitMillis = room && wait > 0 && (spoolReady || !waiting.isEmpty())
                        ? Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait))
                        : spool != null ? SPOOL_RESCAN_MILLIS : 0;
                    try {
                        lock.wait(waitMillis);
                    } catch (InterruptedException e) {
                        return;
                    }
                    continue;
                }
            }
            if (write != null) {
                for (Batch batch : write) {
                    if (!writeToSpool(batch)) {
                        metrics.queuedDropped(batch.spans, DropReason.QUEUE_FULL);
                    }
                    batch.payload.release();
                }
                continue;
            }
            if (fromSpool) {
                next = takeFromSpool();
                if (next == null) {
                    continue;
                }
            }
            long start = System.nanoTime();
            Batch sent = next;
            try {
                sender.send(sent.payload, timeoutMillis, result -> done(sent, result, start));
            } catch (RuntimeException e) {
                done(sent, SendResult.failed(0, OtlpHttpClient.describe(e), false), start);
            }
        }
    }

    /** Writes a batch that left memory; its spans move from the queue's count to the spool's. */
    private boolean writeToSpool(Batch batch) {
        if (spool.write(batch.payload, batch.spans, format, batch.createdMillis)) {
            metrics.queuedSpooled(batch.spans);
            return true;
        }
        return false;
    }

    /** The oldest batch on disk, in flight; null when there is none (or it cannot be read in this format). */
    private Batch takeFromSpool() {
        Spool.Claimed claimed = spool.claimOldest();
        if (claimed == null) {
            return null;
        }
        Payload payload;
        try {
            payload = Payload.of(PayloadFormat.convert(claimed.payload(), claimed.format(), format));
        } catch (IOException e) {
            spool.delete(claimed);
            metrics.spoolDropped(claimed.spans(), DropReason.SPOOL_TORN);
            PlumeLog.warnRateLimited("spool-torn", "a batch in the spool " + spool.directory() + " could not be"
                + " read and was dropped: " + e.getMessage());
            return null;
        }
        Batch batch = new Batch(payload, claimed.spans(), claimed);
        synchronized (lock) {
            if (closed) {
                spool.release(claimed);
                return null;
            }
            inFlight.add(batch);
        }
        return batch;
    }

    private void done(Batch batch, SendResult result, long startNanos) {
        long now = System.nanoTime();
        metrics.requestDone(batch.payload.length(), now - startNanos);
        String warning = null;
        String warningKey = null;
        boolean toDisk = false;
        Spool.Claimed release = null;
        Spool.Claimed delete = null;
        boolean requeued = false;
        synchronized (lock) {
            if (batch.settled || !inFlight.contains(batch)) {
                return; // closed meanwhile: already counted
            }
            if (result.delivered()) {
                consecutiveFailures = 0;
                answering = true;
                refusedLast = false;
                deliveries++;
                lastDeliveryNanos = now;
                batch.settled = true;
                int rejected = (int) Math.min(batch.spans, result.rejectedSpans());
                if (batch.spooled != null) {
                    delete = batch.spooled;
                    metrics.spoolSent(batch.spans - rejected, rejected);
                } else {
                    metrics.queuedDelivered(batch.spans, rejected);
                }
                if (rejected > 0) {
                    warningKey = "otlp-export-rejected " + destination;
                    warning = "OTLP backend at " + destination + " rejected " + rejected + " of " + batch.spans
                        + " spans" + (result.message().isEmpty() ? "" : ": " + result.message());
                }
            } else {
                answering = false;
                refusedLast = result.unreachable();
                if (refusedLast) {
                    refusals++;
                }
                if (result.answered() && result.retryable()) {
                    batch.answeredAttempts++;
                }
                if (result.retryable() && batch.spooled != null) {
                    // back to the disk, where it keeps its place; the backoff paces the next try
                    consecutiveFailures++;
                    long delay = retryDelay(result);
                    backoffUntilNanos = Math.max(backoffUntilNanos, now + TimeUnit.MILLISECONDS.toNanos(delay));
                    batch.settled = true;
                    release = batch.spooled;
                    metrics.retryScheduled();
                    warningKey = "otlp-export-retry " + destination;
                    warning = "OTLP export to " + destination + " failed: " + describe(result) + "; " + batch.spans
                        + " spans from the spool kept there for a retry in " + delay + " ms";
                } else if (result.retryable() && batch.answeredAttempts < delivery.maxAttempts()) {
                    consecutiveFailures++;
                    long delay = retryDelay(result);
                    backoffUntilNanos = Math.max(backoffUntilNanos, now + TimeUnit.MILLISECONDS.toNanos(delay));
                    // back in the queue, so not in flight: it must never be in both (close would count it twice)
                    inFlight.remove(batch);
                    requeued = true;
                    waiting.addFirst(batch);
                    waitingBytes += batch.payload.length();
                    metrics.retryScheduled();
                    warningKey = "otlp-export-retry " + destination;
                    warning = "OTLP export to " + destination + " failed: " + describe(result) + "; " + batch.spans
                        + " spans kept for a retry in " + delay + " ms (" + waiting.size() + " batches waiting)";
                } else if (result.retryable() && spool != null) {
                    // retries used up while the backend keeps refusing: disk keeps them for when it recovers
                    consecutiveFailures++;
                    backoffUntilNanos = Math.max(backoffUntilNanos,
                        now + TimeUnit.MILLISECONDS.toNanos(retryDelay(result)));
                    batch.settled = true;
                    toDisk = true;
                    warningKey = "otlp-export-spooled " + destination;
                    warning = "OTLP export of " + batch.spans + " spans to " + destination + " failed: "
                        + describe(result) + "; retries used up, the batch is kept in the spool";
                } else {
                    batch.settled = true;
                    DropReason reason = result.retryable() ? DropReason.RETRIES_EXHAUSTED : DropReason.NON_RETRYABLE;
                    if (batch.spooled != null) {
                        delete = batch.spooled;
                        metrics.spoolDropped(batch.spans, reason);
                    } else {
                        metrics.queuedDropped(batch.spans, reason);
                    }
                    // one key per destination, so a second endpoint's trouble is not hidden by the first one's
                    warningKey = "otlp-export-failed " + destination;
                    warning = "OTLP export of " + batch.spans + " spans to " + destination + " failed: "
                        + describe(result) + "; the spans are dropped (" + reason.description()
                        + (result.retryable() ? " after " + batch.answeredAttempts + " answered attempts" : "") + ")";
                }
            }
        }
        if (release != null) {
            spool.release(release);
        }
        if (delete != null) {
            spool.delete(delete);
        }
        if (toDisk && !writeToSpool(batch)) {
            metrics.queuedDropped(batch.spans, DropReason.RETRIES_EXHAUSTED);
        }
        // logged outside the lock, but before anyone waiting for the queue learns the batch is done
        if (warning != null) {
            PlumeLog.warnRateLimited(warningKey, warning);
        }
        synchronized (lock) {
            if (!requeued) {
                inFlight.remove(batch);
            }
            publishSize();
            lock.notifyAll();
        }
        if (!requeued) {
            batch.payload.release(); // its call is over and it is settled: delivered, dropped or on disk
        }
    }

    /** The server's delay when it named one (bounded), else the backoff after the failures so far (guarded by lock). */
    private long retryDelay(SendResult result) {
        return result.retryAfterMillis() >= 0
            ? Math.min(result.retryAfterMillis(), MAX_SERVER_DELAY_MILLIS)
            : backoffMillis(consecutiveFailures);
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
