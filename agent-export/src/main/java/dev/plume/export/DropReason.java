package dev.plume.export;

/** Why a span never reached its destination; every dropped span is counted under exactly one reason. */
public enum DropReason {
    /** The ring was full when the application thread ended the span (counted by the ring, never waited for). */
    RING_FULL("ring full"),
    /** Writing the record into the ring failed on the application thread (a bug, counted so it shows). */
    RECORD_WRITE_FAILED("record write failed"),
    /** A record in the ring could not be read. */
    MALFORMED_RECORD("malformed record"),
    /** A readable record could not be encoded for export. */
    ENCODING_FAILED("encoding failed"),
    /** The exporter failed on a batch in an unexpected way (a bug, counted so it shows). */
    EXPORT_FAILED("export failed"),
    /**
     * The send queue was full (bytes or batches) while the backend was slow or away: the oldest waiting batch made
     * room for the newest, because during an incident the newest spans are what the operator needs.
     */
    QUEUE_FULL("queue full"),
    /** The backend answered with an error the OTLP specification says not to retry (such as HTTP 400). */
    NON_RETRYABLE("non-retryable answer"),
    /** The backend kept answering with retryable errors or timing out until the batch ran out of attempts. */
    RETRIES_EXHAUSTED("retries exhausted"),
    /** The backend accepted the request but rejected these spans (OTLP partial success). */
    REJECTED_BY_BACKEND("rejected by backend"),
    /** The exporter could not be set up, for example a malformed endpoint URL. */
    INVALID_CONFIGURATION("invalid configuration"),
    /** {@code otel.traces.exporter=none}: spans are read and discarded on purpose. */
    EXPORTER_NONE("exporter none"),
    /** Shutdown's time budget ran out before the span could be sent, and no spool could keep it. */
    SHUTDOWN_TIMEOUT("shutdown timeout"),
    /** The spool was full: its oldest batch made room for a newer one. */
    SPOOL_FULL("spool full"),
    /** A spool file was torn (a crash or a full disk while it was written) or unreadable; never sent half. */
    SPOOL_TORN("torn spool file");

    private final String description;

    DropReason(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
