package dev.plume.bootstrap.messaging;

import dev.plume.bootstrap.trace.AttributeKey;
import dev.plume.bootstrap.trace.Propagation;
import dev.plume.bootstrap.trace.SpanContext;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.StatusCode;
import dev.plume.bootstrap.trace.Tracer;

/**
 * Spans of messaging clients under the current messaging conventions, whatever the broker: a PRODUCER span per message
 * sent ({@code publish orders}, {@code send orders}), a CONSUMER span for a receive ({@code receive orders},
 * {@code poll orders}) and one for processing each message ({@code process orders}). The name is the operation and the
 * destination; {@code messaging.system}, {@code messaging.operation.name}, {@code messaging.operation.type} and
 * {@code messaging.destination.name} are set here, what only one broker has by its own class ({@link RabbitMqSpans},
 * {@link KafkaSpans}).
 *
 * <p>Context: a message carries its creation context in its headers, written by the configured propagators
 * ({@link Propagation}). Processing a message is a child of that context, so a message's producer and its processing
 * are one trace, as under the OpenTelemetry agent; a receive is a child of what the receiving thread was doing, with a
 * link to each message's creation context (its parent when the thread was doing nothing traced and one message came).
 */
public final class MessagingSpans {
    static final AttributeKey MESSAGING_SYSTEM = AttributeKey.of("messaging.system");
    static final AttributeKey OPERATION_NAME = AttributeKey.of("messaging.operation.name");
    static final AttributeKey OPERATION_TYPE = AttributeKey.of("messaging.operation.type");
    static final AttributeKey DESTINATION_NAME = AttributeKey.of("messaging.destination.name");
    static final AttributeKey DESTINATION_ANONYMOUS = AttributeKey.of("messaging.destination.anonymous");
    static final AttributeKey DESTINATION_PARTITION_ID = AttributeKey.of("messaging.destination.partition.id");
    static final AttributeKey BODY_SIZE = AttributeKey.of("messaging.message.body.size");
    static final AttributeKey BATCH_MESSAGE_COUNT = AttributeKey.of("messaging.batch.message_count");
    static final AttributeKey CLIENT_ID = AttributeKey.of("messaging.client.id");
    static final AttributeKey CONSUMER_GROUP = AttributeKey.of("messaging.consumer.group.name");
    static final AttributeKey SERVER_ADDRESS = AttributeKey.of("server.address");
    static final AttributeKey SERVER_PORT = AttributeKey.of("server.port");
    static final AttributeKey NETWORK_PEER_ADDRESS = AttributeKey.of("network.peer.address");
    static final AttributeKey NETWORK_PEER_PORT = AttributeKey.of("network.peer.port");
    static final AttributeKey ERROR_TYPE = AttributeKey.of("error.type");

    /** {@code messaging.operation.type} values. */
    static final String SEND = "send";
    static final String RECEIVE = "receive";
    static final String PROCESS = "process";

    /** One array per thread for the header values of the message in hand (read into it, handed over, done). */
    private static final ThreadLocal<String[]> HEADER_VALUES = new ThreadLocal<>();

    private MessagingSpans() {
    }

    /**
     * An array for the values of {@link Propagation#names()} (in that order) of one message, this thread's own: fill it,
     * hand it to a start method, and do not keep it.
     */
    public static String[] headerValues() {
        String[] values = HEADER_VALUES.get();
        int count = Propagation.names().length;
        if (values == null || values.length != count) {
            values = new String[count];
            HEADER_VALUES.set(values);
        }
        return values;
    }

    /**
     * The spelling a header of {@link Propagation#names()} (all lower case) has when Plume or an OpenTelemetry SDK wrote
     * it into a message, for brokers whose header names are case-sensitive; null when it is the same.
     */
    public static String writtenName(String lowerCaseName) {
        return switch (lowerCaseName) {
            case "x-b3-traceid" -> "X-B3-TraceId";
            case "x-b3-spanid" -> "X-B3-SpanId";
            case "x-b3-sampled" -> "X-B3-Sampled";
            case "x-b3-flags" -> "X-B3-Flags";
            default -> null;
        };
    }

    /** Starts a PRODUCER span, current on this thread until it ends here: {@code operationName destination}. */
    static SpanSlot startProducer(int scopeId, String system, String operationName, String destination,
                                  boolean anonymous) {
        SpanSlot span = Tracer.startSpan(scopeId, SpanKind.PRODUCER, operationName, anonymous ? null : destination);
        describe(span, system, operationName, SEND, destination, anonymous);
        return span;
    }

    /** Starts a PRODUCER span that is not current and ends on whichever thread learns the outcome. */
    static SpanSlot startDetachedProducer(int scopeId, String system, String operationName, String destination) {
        SpanSlot span = Tracer.startDetachedSpan(scopeId, SpanKind.PRODUCER, operationName, destination);
        describe(span, system, operationName, SEND, destination, false);
        return span;
    }

    /**
     * Starts the CONSUMER span of processing one message, current on this thread, as a child of the message's creation
     * context ({@code headerValues}, see {@link #headerValues()}), or of the current context when it has none.
     */
    static SpanSlot startProcess(int scopeId, String system, String destination, boolean anonymous,
                                 String[] headerValues) {
        SpanSlot span = Tracer.startSpanFromRemote(scopeId, SpanKind.CONSUMER, PROCESS, anonymous ? null : destination,
            headerValues);
        describe(span, system, PROCESS, PROCESS, destination, anonymous);
        return span;
    }

    /**
     * Starts the CONSUMER span of processing one message whose creation context was read already ({@code creation}, or
     * null: then the current context is the parent).
     */
    static SpanSlot startProcess(int scopeId, String system, String destination, SpanContext creation) {
        SpanContext parent = creation != null ? creation : Tracer.captureContext();
        SpanSlot span = Tracer.startChildSpan(scopeId, SpanKind.CONSUMER, PROCESS, destination, parent, true,
            dev.plume.bootstrap.trace.EpochClock.nowEpochNanos());
        describe(span, system, PROCESS, PROCESS, destination, false);
        return span;
    }

    /**
     * Starts a CONSUMER receive span that began at {@code startEpochNanos}, current on this thread: a child of the
     * current context, linked to {@code creation} (one message's creation context, or null); with no current context,
     * the message's creation context is its parent instead.
     */
    static SpanSlot startReceive(int scopeId, String system, String operationName, String destination,
                                 boolean anonymous, SpanContext creation, long startEpochNanos) {
        SpanContext current = Tracer.captureContext();
        boolean parentIsCreation = current == null && creation != null && creation.spanId() != 0;
        SpanSlot span = Tracer.startChildSpan(scopeId, SpanKind.CONSUMER, operationName,
            anonymous ? null : destination, parentIsCreation ? creation : current, true, startEpochNanos);
        if (span != null && !parentIsCreation) {
            link(span, creation);
        }
        describe(span, system, operationName, RECEIVE, destination, anonymous);
        return span;
    }

    /** Links {@code span} to a message's creation context (nothing for null or a context without a span). */
    static void link(SpanSlot span, SpanContext creation) {
        if (creation != null && creation.spanId() != 0) {
            span.addLink(creation.traceIdHigh(), creation.traceIdLow(), creation.spanId(), creation.traceFlags(),
                creation.traceState(), true);
        }
    }

    private static void describe(SpanSlot span, String system, String operationName, String operationType,
                                 String destination, boolean anonymous) {
        if (span == null || !span.isRecording()) {
            return;
        }
        span.setAttribute(MESSAGING_SYSTEM, system);
        span.setAttribute(OPERATION_NAME, operationName);
        span.setAttribute(OPERATION_TYPE, operationType);
        span.setAttribute(DESTINATION_NAME, destination);
        if (anonymous) {
            span.setAttribute(DESTINATION_ANONYMOUS, true);
        }
    }

    /** Ends a messaging span; a failure makes it an error, {@code error.type} its class, with an exception event. */
    public static void end(SpanSlot span, Throwable error) {
        if (span == null) {
            return;
        }
        try {
            if (error != null && span.isRecording()) {
                span.setAttribute(ERROR_TYPE, error.getClass().getName());
                span.setStatus(StatusCode.ERROR, error.getMessage());
                span.recordException(error);
            }
        } finally {
            span.end();
        }
    }

    /** What a messaging advice does on exit: ends its span (if it made one) and leaves the call. */
    public static void exitCall(int scopeId, SpanSlot span, Throwable error) {
        try {
            end(span, error);
        } finally {
            Tracer.exitCall(scopeId);
        }
    }

    /** {@code 0}..{@code 255} as strings, so a partition id costs no allocation. */
    private static final String[] SMALL_NUMBERS = new String[256];

    static {
        for (int i = 0; i < SMALL_NUMBERS.length; i++) {
            SMALL_NUMBERS[i] = Integer.toString(i);
        }
    }

    static String number(int value) {
        return value >= 0 && value < SMALL_NUMBERS.length ? SMALL_NUMBERS[value] : Integer.toString(value);
    }
}
