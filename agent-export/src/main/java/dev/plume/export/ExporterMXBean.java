package dev.plume.export;

import java.util.Map;

/** The exporter's counters as JMX shows them, under {@code dev.plume:type=Exporter}. */
public interface ExporterMXBean {
    /** Spans the application ended that reached the exporter or were dropped before the ring (ring full). */
    long getSpansRecorded();

    long getSpansRead();
    /** Spans the adaptive sampler kept out of export; recorded = exported + sampled out + dropped + buffered. */
    long getSpansSampledOut();
    /** Spans too large for one ring record that lost attributes or events (counted in their OTLP dropped counts). */
    long getSpansCutToFit();
    /** {@code plume.sampler.target.spans.per.second}, or 0 when adaptive sampling is off. */
    double getAdaptiveSamplingTargetSpansPerSecond();
    /** The incoming span rate the adaptive sampler measured last (0 when off). */
    double getAdaptiveSamplingIncomingSpansPerSecond();
    /** The fraction of traces the adaptive sampler keeps now (1 when off). */
    double getAdaptiveSamplingKeepFraction();

    long getSpansExported();

    /** Spans in the batch being built plus spans in the send queue (waiting, in flight or awaiting a retry). */
    long getSpansBuffered();

    long getSpansQueued();

    long getSpansDroppedTotal();

    /** Dropped spans by reason, for every reason (zeros included). */
    Map<String, Long> getSpansDroppedByReason();

    /** Spans this run moved to the spool on disk; recorded = exported + sampled out + dropped + buffered + spooled. */
    long getSpansSpooled();

    /** Spans in batches found in the spool at start (earlier runs, other processes). */
    long getSpoolSpansFound();

    /** Spans the backend accepted from the spool (any run's). */
    long getSpoolSpansSent();

    /** Spans of spooled batches given up, by reason; found + spooled = sent + dropped + on disk. */
    Map<String, Long> getSpoolSpansDroppedByReason();

    long getSpoolFiles();

    long getSpoolBytes();

    long getBatchesQueued();

    long getQueuedBytes();

    long getExportRequests();

    long getRetries();

    long getBytesSent();

    long getExportLatencyMillisLast();

    long getExportLatencyMillisMax();
}
