package dev.plume.export;

import dev.plume.bootstrap.record.SpanRecordReader;

/**
 * Reads and counts spans and sends them nowhere: {@code otel.traces.exporter=none}, or an exporter that could not be
 * set up (the spans are dropped under that reason, the application is unaffected).
 */
public final class DiscardingExporter implements TraceExporter {
    private final DropReason reason;
    private int pending;

    public DiscardingExporter(DropReason reason) {
        this.reason = reason;
    }

    @Override
    public boolean add(SpanRecordReader span) {
        pending++;
        return true;
    }

    @Override
    public BatchOutcome flush(long timeoutMillis) {
        int count = pending;
        pending = 0;
        return BatchOutcome.dropped(count, reason);
    }
}
