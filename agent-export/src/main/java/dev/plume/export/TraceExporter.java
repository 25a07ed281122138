package dev.plume.export;

import dev.plume.bootstrap.record.SpanRecordReader;

/**
 * A destination for the spans the exporter thread reads from the ring (OTLP, the console, or nowhere). Every method is
 * called on the exporter thread only.
 */
public interface TraceExporter {
    /**
     * Takes one span while its record is still in the ring (the reader is only valid during the call).
     *
     * @return false when the span could not be taken; it is then dropped and counted
     */
    boolean add(SpanRecordReader span);

    /**
     * Whether the spans added since the last flush make a request as large as this destination takes in one: the
     * batch is then flushed before it reaches its span count.
     */
    default boolean batchFull() {
        return false;
    }

    /** Delivers the spans added since the last flush, waiting at most {@code timeoutMillis}. */
    BatchOutcome flush(long timeoutMillis);

    /**
     * True while the destination is behind a backend that is taking batches more slowly than they come (its send
     * queue at least half full): the exporter thread then leaves the spans in the ring rather than encode batches the
     * queue would have to drop. Never true while the backend is away (the queue's own policy keeps the newest then),
     * nor with a spool (what the queue evicts goes to disk).
     */
    default boolean backlogged() {
        return false;
    }

    /** Housekeeping between reads, such as printing traces whose root span never arrived. */
    default void tick(long nowNanos) {
    }

    /**
     * Waits until what was flushed has been delivered or given up, the deadline passes, or the destination has gone
     * {@code unansweredNanos} without accepting anything (shutdown only); true when nothing is left to send.
     */
    default boolean awaitDelivery(long deadlineNanos, long unansweredNanos) {
        return true;
    }

    /**
     * Releases connections and threads, and writes out anything still held (to the spool, or dropped and counted);
     * called once, after the last flush.
     */
    default void shutdown() {
    }
}
