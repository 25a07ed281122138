package dev.plume.export;

import dev.plume.bootstrap.record.SpanRing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The exporter's own counts, so that every span is accounted for: each span read from the ring is exported, sampled
 * out, dropped (with a reason), still buffered in the current batch or the send queue, or spooled to disk. Spans
 * dropped before the ring (ring full) come from the ring's own counters. With several exporters selected, the counts
 * follow the OTLP exporter when it is one of them. Written by the exporter thread and the send queue's threads;
 * readable from any thread (and over JMX). Once the ring is drained:
 * recorded = exported + sampled out + dropped + buffered + spooled.
 *
 * <p>The spool keeps books of its own, because it outlives the process: batches found on disk at start plus spans
 * spooled by this run = spans sent from the spool + dropped from the spool (by reason) + still on disk.
 */
public final class ExporterMetrics implements ExporterMXBean {
    private final SpanRing ring;
    private final AtomicLong read = new AtomicLong();
    private final AtomicLong exported = new AtomicLong();
    private final AtomicLong inBatch = new AtomicLong();
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong batchesExported = new AtomicLong();
    private final AtomicLong batchesFailed = new AtomicLong();
    private final AtomicLongArray dropped = new AtomicLongArray(DropReason.values().length);
    private final AtomicLong batchesQueued = new AtomicLong();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicLong latencyLastNanos = new AtomicLong();
    private final AtomicLong latencyMaxNanos = new AtomicLong();
    private final AtomicLong sampledOut = new AtomicLong();
    private final AtomicLong spooled = new AtomicLong();
    private final AtomicLong spoolFound = new AtomicLong();
    private final AtomicLong spoolSent = new AtomicLong();
    private final AtomicLongArray spoolDropped = new AtomicLongArray(DropReason.values().length);
    private final AtomicLong spoolFiles = new AtomicLong();
    private final AtomicLong spoolBytes = new AtomicLong();
    private volatile AdaptiveSampler adaptiveSampler;

    ExporterMetrics(SpanRing ring) {
        this.ring = ring;
    }

    /** Spans that reached the exporter or were dropped before the ring; spans still in the ring are not counted yet. */
    public long spansRecorded() {
        return spansRead() + ring.droppedRingFull() + ring.droppedEncodingFailed();
    }

    /** Records read from the ring. */
    public long spansRead() {
        return read.get();
    }

    /** Spans the destination accepted. */
    public long spansExported() {
        return exported.get();
    }

    /** Spans in the batch being built or waiting in the send queue. */
    public long spansBuffered() {
        return inBatch.get() + queued.get();
    }

    /** Spans in encoded batches in the send queue: waiting, in flight, or waiting to be retried. */
    public long spansQueued() {
        return queued.get();
    }

    public long spansDropped(DropReason reason) {
        return switch (reason) {
            case RING_FULL -> ring.droppedRingFull();
            case RECORD_WRITE_FAILED -> ring.droppedEncodingFailed();
            default -> dropped.get(reason.ordinal());
        };
    }

    /** Spans exported with fewer attributes or events than recorded, cut to fit the ring's largest record. */
    public long spansCutToFit() {
        return ring.cutToFit();
    }

    /** Spans the adaptive sampler chose not to export (on purpose, so not counted as dropped). */
    public long spansSampledOut() {
        return sampledOut.get();
    }

    /** Spans this run moved from the send queue to the spool on disk. */
    public long spansSpooled() {
        return spooled.get();
    }

    /** Spans in batches found in the spool when it was opened (earlier runs, other processes). */
    public long spoolSpansFound() {
        return spoolFound.get();
    }

    /** Spans the backend accepted from spooled batches. */
    public long spoolSpansSent() {
        return spoolSent.get();
    }

    public long spoolSpansDropped(DropReason reason) {
        return spoolDropped.get(reason.ordinal());
    }

    public long spoolSpansDroppedTotal() {
        long total = 0;
        for (DropReason reason : DropReason.values()) {
            total += spoolDropped.get(reason.ordinal());
        }
        return total;
    }

    /** Spans dropped for any reason, before the ring (ring full) or after it. */
    public long spansDroppedTotal() {
        long total = 0;
        for (DropReason reason : DropReason.values()) {
            total += spansDropped(reason);
        }
        return total;
    }

    public long batchesExported() {
        return batchesExported.get();
    }

    /** Batches of which at least one span was dropped. */
    public long batchesFailed() {
        return batchesFailed.get();
    }

    /** Export requests that got an answer or failed (each attempt of a retried batch counts). */
    public long exportRequests() {
        return requests.get();
    }

    /** Attempts scheduled again after a retryable failure. */
    public long retries() {
        return retries.get();
    }

    /** Payload bytes of every export request sent (compressed, framed), retries included. */
    public long bytesSent() {
        return bytesSent.get();
    }

    // ---- JMX view

    @Override
    public long getSpansRecorded() {
        return spansRecorded();
    }

    @Override
    public long getSpansCutToFit() {
        return spansCutToFit();
    }

    @Override
    public long getSpansSampledOut() {
        return spansSampledOut();
    }

    @Override
    public double getAdaptiveSamplingTargetSpansPerSecond() {
        AdaptiveSampler sampler = adaptiveSampler;
        return sampler == null ? 0 : sampler.targetSpansPerSecond();
    }

    @Override
    public double getAdaptiveSamplingIncomingSpansPerSecond() {
        AdaptiveSampler sampler = adaptiveSampler;
        return sampler == null ? 0 : sampler.incomingSpansPerSecond();
    }

    @Override
    public double getAdaptiveSamplingKeepFraction() {
        AdaptiveSampler sampler = adaptiveSampler;
        return sampler == null ? 1.0 : sampler.keepFraction();
    }

    @Override
    public long getSpansRead() {
        return spansRead();
    }

    @Override
    public long getSpansExported() {
        return spansExported();
    }

    @Override
    public long getSpansBuffered() {
        return spansBuffered();
    }

    @Override
    public long getSpansQueued() {
        return spansQueued();
    }

    @Override
    public long getSpansDroppedTotal() {
        return spansDroppedTotal();
    }

    @Override
    public Map<String, Long> getSpansDroppedByReason() {
        Map<String, Long> byReason = new LinkedHashMap<>();
        for (DropReason reason : DropReason.values()) {
            byReason.put(reason.description(), spansDropped(reason));
        }
        return byReason;
    }

    @Override
    public long getSpansSpooled() {
        return spansSpooled();
    }

    @Override
    public long getSpoolSpansFound() {
        return spoolSpansFound();
    }

    @Override
    public long getSpoolSpansSent() {
        return spoolSpansSent();
    }

    @Override
    public Map<String, Long> getSpoolSpansDroppedByReason() {
        Map<String, Long> byReason = new LinkedHashMap<>();
        for (DropReason reason : DropReason.values()) {
            byReason.put(reason.description(), spoolSpansDropped(reason));
        }
        return byReason;
    }

    @Override
    public long getSpoolFiles() {
        return spoolFiles.get();
    }

    @Override
    public long getSpoolBytes() {
        return spoolBytes.get();
    }

    @Override
    public long getBatchesQueued() {
        return batchesQueued.get();
    }

    @Override
    public long getQueuedBytes() {
        return queuedBytes.get();
    }

    @Override
    public long getExportRequests() {
        return exportRequests();
    }

    @Override
    public long getRetries() {
        return retries();
    }

    @Override
    public long getBytesSent() {
        return bytesSent();
    }

    @Override
    public long getExportLatencyMillisLast() {
        return TimeUnit.NANOSECONDS.toMillis(latencyLastNanos.get());
    }

    @Override
    public long getExportLatencyMillisMax() {
        return TimeUnit.NANOSECONDS.toMillis(latencyMaxNanos.get());
    }

    // ---- written by the exporter thread

    void spanRead() {
        read.incrementAndGet();
    }

    void spanBuffered() {
        inBatch.incrementAndGet();
    }

    void spanSampledOut() {
        sampledOut.incrementAndGet();
    }

    void adaptiveSampler(AdaptiveSampler sampler) {
        adaptiveSampler = sampler;
    }

    void spanDropped(DropReason reason) {
        dropped.incrementAndGet(reason.ordinal());
    }

    /** A batch of {@code count} buffered spans left the exporter thread with this outcome. */
    void batchDone(int count, BatchOutcome outcome) {
        int accounted = outcome.exported() + outcome.dropped() + outcome.queued();
        // queued first, so that a reader never sees the spans in neither place
        queued.addAndGet(outcome.queued());
        exported.addAndGet(outcome.exported());
        if (outcome.dropped() > 0) {
            dropped.addAndGet(outcome.reason().ordinal(), outcome.dropped());
        }
        if (accounted < count) {
            // an exporter that under-reports must not make spans disappear from the books
            dropped.addAndGet(DropReason.EXPORT_FAILED.ordinal(), count - accounted);
        }
        inBatch.addAndGet(-count);
        if (outcome.dropped() > 0 || accounted < count) {
            batchesFailed.incrementAndGet();
        } else if (outcome.exported() > 0) {
            batchesExported.incrementAndGet();
        }
    }

    /** Spans still buffered when shutdown's time ran out. */
    void bufferedDropped(int count, DropReason reason) {
        dropped.addAndGet(reason.ordinal(), count);
        inBatch.addAndGet(-count);
    }

    // ---- written by the send queue (any thread)

    /** A queued batch of {@code count} spans is done: {@code rejected} of them refused by the backend. */
    public void queuedDelivered(int count, int rejected) {
        exported.addAndGet(count - rejected);
        if (rejected > 0) {
            dropped.addAndGet(DropReason.REJECTED_BY_BACKEND.ordinal(), rejected);
            batchesFailed.incrementAndGet();
        } else {
            batchesExported.incrementAndGet();
        }
        queued.addAndGet(-count);
    }

    /** A queued batch of {@code count} spans was given up for this reason. */
    public void queuedDropped(int count, DropReason reason) {
        dropped.addAndGet(reason.ordinal(), count);
        batchesFailed.incrementAndGet();
        queued.addAndGet(-count);
    }

    /** A queued batch of {@code count} spans was written to the spool: it leaves this run's queue for the disk. */
    public void queuedSpooled(int count) {
        spooled.addAndGet(count);
        queued.addAndGet(-count);
    }

    /** The spool held batches of {@code count} spans when it was opened. */
    public void spoolFound(long count) {
        spoolFound.addAndGet(count);
    }

    /** A spooled batch was accepted: {@code sent} spans delivered, {@code rejected} refused in a partial success. */
    public void spoolSent(int sent, int rejected) {
        spoolSent.addAndGet(sent);
        if (rejected > 0) {
            spoolDropped.addAndGet(DropReason.REJECTED_BY_BACKEND.ordinal(), rejected);
        }
    }

    /** Spans of a spooled batch given up for this reason. */
    public void spoolDropped(int count, DropReason reason) {
        spoolDropped.addAndGet(reason.ordinal(), count);
    }

    /** The spool's size on disk now. */
    public void spoolSize(int files, long bytes) {
        spoolFiles.set(files);
        spoolBytes.set(bytes);
    }

    /** One export request finished (answered or failed) after {@code latencyNanos}, having sent {@code bytes}. */
    public void requestDone(long bytes, long latencyNanos) {
        requests.incrementAndGet();
        bytesSent.addAndGet(bytes);
        latencyLastNanos.set(latencyNanos);
        latencyMaxNanos.accumulateAndGet(latencyNanos, Math::max);
    }

    public void retryScheduled() {
        retries.incrementAndGet();
    }

    /** The send queue's size now, in batches and bytes. */
    public void queueSize(int batches, long bytes) {
        batchesQueued.set(batches);
        queuedBytes.set(bytes);
    }

    @Override
    public String toString() {
        StringBuilder line = new StringBuilder()
            .append(spansRead()).append(" spans read, ")
            .append(spansExported()).append(" exported, ")
            .append(spansBuffered()).append(" buffered, ")
            .append(spansSampledOut()).append(" sampled out, ")
            .append(spansSpooled()).append(" spooled, ")
            .append(spansDroppedTotal()).append(" dropped");
        String separator = " (";
        for (DropReason reason : DropReason.values()) {
            long count = spansDropped(reason);
            if (count > 0) {
                line.append(separator).append(reason.description()).append(": ").append(count);
                separator = ", ";
            }
        }
        if (!separator.equals(" (")) {
            line.append(')');
        }
        if (retries() > 0) {
            line.append(", ").append(retries()).append(" retries");
        }
        if (spansSpooled() > 0 || spoolSpansFound() > 0 || spoolSpansSent() > 0) {
            line.append("; spool: ").append(spansSpooled()).append(" spans spooled, ")
                .append(spoolSpansFound()).append(" found at start, ")
                .append(spoolSpansSent()).append(" sent, ")
                .append(spoolSpansDroppedTotal()).append(" dropped, ")
                .append(spoolFiles.get()).append(" files on disk");
        }
        return line.toString();
    }
}
