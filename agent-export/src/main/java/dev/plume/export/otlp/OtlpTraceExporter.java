package dev.plume.export.otlp;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.config.PlumeConfig;
import dev.plume.bootstrap.record.SpanRecordReader;
import dev.plume.export.BatchOutcome;
import dev.plume.export.DiscardingExporter;
import dev.plume.export.DropReason;
import dev.plume.export.TraceExporter;
import dev.plume.export.resource.Resource;

/**
 * Exports spans as OTLP: each span is encoded into the batch as it is read, and the batch goes to the backend in one
 * request. A failed request drops its spans (counted, with a rate-limited warning that quotes the backend's answer).
 */
public final class OtlpTraceExporter implements TraceExporter {
    private final OtlpTraceEncoder encoder;
    private final TraceSender sender;
    private final String destination;

    public OtlpTraceExporter(OtlpTraceEncoder encoder, TraceSender sender, String destination) {
        this.encoder = encoder;
        this.sender = sender;
        this.destination = destination;
    }

    /**
     * Builds the OTLP exporter from {@code otel.exporter.otlp.*}; with a malformed endpoint, an exporter that drops and
     * counts every span instead (the problem was already reported in one line).
     */
    public static TraceExporter create(PlumeConfig config, Resource resource, String agentVersion) {
        OtlpExporterSettings settings = OtlpExporterSettings.from(config);
        if (settings.url() == null) {
            return new DiscardingExporter(DropReason.INVALID_CONFIGURATION);
        }
        return new OtlpTraceExporter(new OtlpTraceEncoder(resource, agentVersion),
            new HttpProtobufSender(settings, agentVersion), OtlpEndpoint.forLog(settings.url()));
    }

    @Override
    public boolean add(SpanRecordReader span) {
        return encoder.append(span);
    }

    @Override
    public BatchOutcome flush(long timeoutMillis) {
        int count = encoder.spanCount();
        if (count == 0) {
            return BatchOutcome.exported(0);
        }
        try {
            int length = encoder.encodeRequest();
            SendResult result = sender.send(encoder.requestArray(), length, timeoutMillis);
            if (!result.delivered()) {
                // one key per destination, so a second endpoint's trouble is not hidden by the first one's
                PlumeLog.warnRateLimited("otlp-export-failed " + destination, "OTLP export of " + count
                    + " spans to " + destination + " failed: " + describe(result) + "; the spans are dropped");
                return BatchOutcome.dropped(count, DropReason.EXPORT_FAILED);
            }
            int rejected = (int) Math.min(count, result.rejectedSpans());
            if (rejected > 0) {
                String why = result.message().isEmpty() ? "" : ": " + result.message();
                PlumeLog.warnRateLimited("otlp-export-rejected " + destination, "OTLP backend at " + destination
                    + " rejected " + rejected + " of " + count + " spans" + why);
            }
            return new BatchOutcome(count - rejected, rejected, DropReason.REJECTED_BY_BACKEND);
        } finally {
            encoder.reset();
        }
    }

    private static String describe(SendResult result) {
        String status = result.httpStatus() == 0 ? "" : "HTTP " + result.httpStatus();
        if (result.message().isEmpty()) {
            return status.isEmpty() ? "no response" : status;
        }
        return status.isEmpty() ? result.message() : status + " \"" + result.message() + "\"";
    }

    @Override
    public void shutdown() {
        sender.shutdown();
    }
}
