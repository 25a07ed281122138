package dev.plume.export;

import dev.plume.bootstrap.record.SpanRing;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The exporter's own counts, so that every span is accounted for: each span read from the ring is exported, dropped
 * (with a reason) or still buffered in the current batch. Spans dropped before the ring (ring full) come from the
 * ring's own counters. With several exporters selected, the counts follow the OTLP exporter when it is one of them.
 * Written by the exporter thread only; readable from any thread.
 */
public final class ExporterMetrics {
    private final SpanRing ring;
    private final AtomicLong read = new AtomicLong();
    private final AtomicLong exported = new AtomicLong();
    private final AtomicLong buffered = new AtomicLong();
    private final AtomicLong batchesExported = new AtomicLong();
    private final AtomicLong batchesFailed = new AtomicLong();
    private final AtomicLongArray dropped = new AtomicLongArray(DropReason.values().length);

    ExporterMetrics(SpanRing ring) {
        this.ring = ring;
    }

    /** Records read from the ring. */
    public long spansRead() {
        return read.get();
    }

    /** Spans the destination accepted. */
    public long spansExported() {
        return exported.get();
    }

    /** Spans taken into the batch being built and not yet flushed. */
    public long spansBuffered() {
        return buffered.get();
    }

    public long spansDropped(DropReason reason) {
        return switch (reason) {
            case RING_FULL -> ring.droppedRingFull();
            case RECORD_WRITE_FAILED -> ring.droppedEncodingFailed();
            default -> dropped.get(reason.ordinal());
        };
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

    void spanRead() {
        read.incrementAndGet();
    }

    void spanBuffered() {
        buffered.incrementAndGet();
    }

    void spanDropped(DropReason reason) {
        dropped.incrementAndGet(reason.ordinal());
    }

    /** A batch of {@code count} buffered spans left the exporter with this outcome. */
    void batchDone(int count, BatchOutcome outcome) {
        int accounted = outcome.exported() + outcome.dropped();
        exported.addAndGet(outcome.exported());
        if (outcome.dropped() > 0) {
            dropped.addAndGet(outcome.reason().ordinal(), outcome.dropped());
        }
        if (accounted < count) {
            // an exporter that under-reports must not make spans disappear from the books
            dropped.addAndGet(DropReason.EXPORT_FAILED.ordinal(), count - accounted);
        }
        buffered.addAndGet(-count);
        if (outcome.dropped() > 0 || accounted < count) {
            batchesFailed.incrementAndGet();
        } else if (count > 0) {
            batchesExported.incrementAndGet();
        }
    }

    /** Spans still buffered when shutdown's time ran out. */
    void bufferedDropped(int count, DropReason reason) {
        dropped.addAndGet(reason.ordinal(), count);
        buffered.addAndGet(-count);
    }

    @Override
    public String toString() {
        StringBuilder line = new StringBuilder()
            .append(spansRead()).append(" spans read, ")
            .append(spansExported()).append(" exported, ")
            .append(spansBuffered()).append(" buffered, ")
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
        return line.toString();
    }
}
