package dev.plume.export.otlp;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.config.ConfigKeys;
import dev.plume.bootstrap.config.PlumeConfig;
import dev.plume.bootstrap.record.SpanRecordReader;
import dev.plume.export.BatchOutcome;
import dev.plume.export.DiscardingExporter;
import dev.plume.export.DropReason;
import dev.plume.export.ExporterMetrics;
import dev.plume.export.TraceExporter;
import dev.plume.export.resource.Resource;

import java.util.function.Supplier;

/**
 * Exports spans as OTLP: each span is encoded into the batch as it is read; a full batch becomes one payload (compressed
 * and framed once) in the {@link SendQueue}, which sends, retries and accounts for it off the exporter thread.
 */
public final class OtlpTraceExporter implements TraceExporter {
    /** The largest payload array kept from batch to batch: at most twice this much heap is held for them. */
    static final long LARGEST_KEPT_PAYLOAD = 8L << 20;

    private final OtlpTraceEncoder encoder;
    private final Supplier<TraceSender> senders;
    private final OtlpExporterSettings settings;
    private final ExporterMetrics metrics;
    private final Spool spool;
    private final String destination;
    /** {@code plume.exporter.max.request.size}: a batch whose spans' encoded size reaches it is sent. */
    private final long maxRequestBytes;
    /**
     * The payload arrays kept between batches: two, enough for a batch being sent while the next is made, each up to a
     * request at the size limit and the span that passes it, and never more than {@link #LARGEST_KEPT_PAYLOAD}: past
     * that (a size limit raised with very large batches), payloads are allocated per batch again.
     */
    private final PayloadPool payloads;
    // built on first use (exporter thread only): an application that records nothing never loads OkHttp
    private TraceSender sender;
    private SendQueue queue;

    OtlpTraceExporter(OtlpTraceEncoder encoder, Supplier<TraceSender> senders, OtlpExporterSettings settings,
                      ExporterMetrics metrics, Spool spool, String destination, long maxRequestBytes) {
        this.encoder = encoder;
        this.senders = senders;
        this.settings = settings;
        this.metrics = metrics;
        this.spool = spool;
        this.destination = destination;
        this.maxRequestBytes = maxRequestBytes;
        this.payloads = new PayloadPool(2, (int) Math.min(LARGEST_KEPT_PAYLOAD,
            maxRequestBytes + 4L * PayloadPool.GRANULE));
    }

    /**
     * Builds the OTLP exporter from {@code otel.exporter.otlp.*} and {@code plume.exporter.*}; with a malformed endpoint
     * or unusable TLS files, an exporter that drops and counts every span instead (the problem was already reported in
     * one line). Connections are made with the first batch, or at once when the spool holds batches from earlier.
     */
    public static TraceExporter create(PlumeConfig config, Resource resource, String agentVersion,
                                       ExporterMetrics metrics) {
        OtlpExporterSettings settings = OtlpExporterSettings.from(config);
        if (settings.url() == null) {
            return new DiscardingExporter(DropReason.INVALID_CONFIGURATION);
        }
        OtlpTls tls;
        try {
            tls = OtlpTls.load(settings.tls());
        } catch (OtlpTls.InvalidFile e) {
            PlumeLog.error(e.getMessage() + "; OTLP export is off, spans are dropped and counted, the application is"
                + " unaffected");
            return new DiscardingExporter(DropReason.INVALID_CONFIGURATION);
        }
        Supplier<TraceSender> senders = () -> settings.grpc()
            ? new GrpcSender(settings, tls, agentVersion)
            : new HttpProtobufSender(settings, tls, agentVersion);
        Spool spool = Spool.open(settings.delivery().spoolDir(), settings.delivery().spoolMaxBytes(), metrics);
        OtlpTraceExporter exporter = new OtlpTraceExporter(new OtlpTraceEncoder(resource, agentVersion), senders,
            settings, metrics, spool, OtlpEndpoint.forLog(settings.url()),
            config.getBytes(ConfigKeys.MAX_REQUEST_SIZE));
        if (spool != null && spool.mayHaveBatches()) {
            exporter.connect(); // an earlier run left batches: send them now, not when this run first records
        }
        return exporter;
    }

    private void connect() {
        if (queue == null) {
            sender = senders.get();
            queue = new SendQueue(sender, metrics, settings, destination, spool);
        }
    }

    @Override
    public boolean add(SpanRecordReader span) {
        return encoder.append(span);
    }

    @Override
    public boolean batchFull() {
        return encoder.spanBytes() >= maxRequestBytes;
    }

    /** Hands the batch to the send queue and returns at once; the queue counts what becomes of it. */
    @Override
    public BatchOutcome flush(long timeoutMillis) {
        int count = encoder.spanCount();
        if (count == 0) {
            return BatchOutcome.exported(0);
        }
        try {
            connect();
            Payload payload = sender.prepare(encoder, payloads);
            if (queue.offer(payload, count)) {
                return BatchOutcome.queued(count);
            }
            payload.release(); // refused, so never sent
            return BatchOutcome.dropped(count, DropReason.QUEUE_FULL);
        } finally {
            encoder.reset();
        }
    }

    @Override
    public boolean backlogged() {
        return queue != null && queue.backlogged();
    }

    @Override
    public boolean awaitDelivery(long deadlineNanos, long unansweredNanos) {
        if (queue == null) {
            return true;
        }
        boolean empty = queue.awaitEmpty(deadlineNanos, unansweredNanos);
        if (!empty) {
            PlumeLog.warn("at exit the OTLP backend at " + destination + " is not accepting spans (not answering, refusing"
                + " or failing): stopping without waiting longer; " + queue.describeLeft());
        }
        return empty;
    }

    @Override
    public void shutdown() {
        if (queue != null) {
            queue.close();
            sender.shutdown();
        } else if (spool != null) {
            spool.close();
        }
    }
}
