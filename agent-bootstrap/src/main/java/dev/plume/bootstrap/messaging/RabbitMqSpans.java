package dev.plume.bootstrap.messaging;

import dev.plume.bootstrap.context.ContextCarrier;
import dev.plume.bootstrap.trace.AttributeKey;
import dev.plume.bootstrap.trace.Propagation;
import dev.plume.bootstrap.trace.SpanContext;
import dev.plume.bootstrap.trace.SpanSlot;

import java.util.concurrent.ConcurrentHashMap;

/**
 * RabbitMQ's messaging spans ({@code messaging.system=rabbitmq}): {@code publish} for a message published, {@code process}
 * for a delivery to a consumer, {@code receive} for a {@code basicGet}. The destination is what the current conventions
 * (and the OpenTelemetry agent with {@code otel.semconv-stability.opt-in=messaging}) make of exchange, routing key and
 * queue: the non-empty ones joined with {@code ':'} ({@code orders:created}, {@code amq.default} for a publish with
 * neither); a server-named queue ({@code amq.gen-...}) reached through the default exchange is anonymous and left out
 * of the span name. The routing key is {@code messaging.rabbitmq.destination.routing_key}, the broker's address
 * {@code server.address}/{@code server.port}.
 *
 * <p>Per channel (the agent's field of {@code ChannelN}): the broker's address, read once. Per consumer tag: the queue
 * it consumes and the broker, remembered when {@code basicConsume} answers (a delivery names its consumer tag only).
 */
public final class RabbitMqSpans {
    private static final String SYSTEM = "rabbitmq";
    private static final AttributeKey ROUTING_KEY = AttributeKey.of("messaging.rabbitmq.destination.routing_key");
    private static final AttributeKey DELIVERY_TAG = AttributeKey.of("messaging.rabbitmq.message.delivery_tag");
    private static final String DEFAULT_DESTINATION = "amq.default";
    private static final int MAX_CACHED = 1024;
    private static final int MAX_CONSUMERS = 4096;

    /**
     * Joined destination names by exchange, routing key and queue ({@code ""} for none), so a message names its
     * destination without building a string.
     */
    private static final ConcurrentHashMap<String, ConcurrentHashMap<String, ConcurrentHashMap<String, String>>>
        DESTINATIONS = new ConcurrentHashMap<>();
    private static int cached;
    private static final ConcurrentHashMap<String, Broker> CONSUMERS = new ConcurrentHashMap<>();

    private RabbitMqSpans() {
    }

    /** The broker a channel talks to, and for a consumer tag the queue it consumes. */
    public static final class Broker {
        final String host;
        final String peerAddress;
        final int port;
        final String queue;

        Broker(String host, String peerAddress, int port, String queue) {
            this.host = host;
            this.peerAddress = peerAddress;
            this.port = port;
            this.queue = queue;
        }
    }

    /** Whether {@code channel}'s broker is known already (else the advice reads it once: {@link #broker}). */
    public static boolean knowsBroker(Object channel) {
        return channel instanceof ContextCarrier && ((ContextCarrier) channel).plume$getContext() instanceof Broker;
    }

    /** Remembers the broker of {@code channel}: {@code address} is an {@code InetAddress} ({@code host/1.2.3.4}). */
    public static void broker(Object channel, java.net.InetAddress address, int port) {
        if (channel instanceof ContextCarrier && address != null) {
            ((ContextCarrier) channel).plume$setContext(brokerOf(address, port, null));
        }
    }

    private static Broker brokerOf(java.net.InetAddress address, int port, String queue) {
        String peer = address.getHostAddress();
        // InetAddress#toString is "name/address", the name empty when none was given: it never looks a name up
        String text = address.toString();
        int slash = text.indexOf('/');
        String host = slash > 0 ? text.substring(0, slash) : peer;
        return new Broker(host, peer, port, queue);
    }

    private static Broker broker(Object channel) {
        if (channel instanceof ContextCarrier) {
            Object carried = ((ContextCarrier) channel).plume$getContext();
            if (carried instanceof Broker) {
                return (Broker) carried;
            }
        }
        return null;
    }

    /** {@code basicConsume} answered {@code consumerTag}: its deliveries come from {@code queue}. */
    public static void consuming(Object channel, String consumerTag, String queue) {
        if (consumerTag == null || CONSUMERS.size() >= MAX_CONSUMERS) {
            return;
        }
        Broker broker = broker(channel);
        CONSUMERS.put(consumerTag, broker == null ? new Broker(null, null, -1, queue)
            : new Broker(broker.host, broker.peerAddress, broker.port, queue));
    }

    /** The consumer is cancelled: forget its tag. */
    public static void cancelled(String consumerTag) {
        if (consumerTag != null) {
            CONSUMERS.remove(consumerTag);
        }
    }

    /**
     * Starts the PRODUCER span of {@code basicPublish}, current on this thread; the caller writes the span's context into
     * the message's headers ({@link #headersWith}).
     */
    public static SpanSlot startPublish(int scopeId, Object channel, String exchange, String routingKey, long bodySize) {
        boolean anonymous = isEmpty(exchange) && isGeneratedQueueName(routingKey);
        String destination = destination(exchange, routingKey, null);
        SpanSlot span = MessagingSpans.startProducer(scopeId, SYSTEM, "publish",
            destination == null ? DEFAULT_DESTINATION : destination, anonymous);
        if (span != null && span.isRecording()) {
            describe(span, broker(channel), routingKey, bodySize);
        }
        return span;
    }

    /**
     * The message headers to publish: {@code headers} (may be null; never changed) and the propagators' headers for
     * {@code span}, in a new map.
     */
    public static java.util.Map<String, Object> headersWith(java.util.Map<String, Object> headers, SpanSlot span) {
        java.util.HashMap<String, Object> copy = headers == null ? new java.util.HashMap<>()
            : new java.util.HashMap<>(headers);
        for (int i = 0; i < Propagation.outgoingCount(); i++) {
            String value = Propagation.outgoingValue(i, span);
            if (value != null) {
                copy.put(Propagation.outgoingName(i), value);
            }
        }
        return copy;
    }

    /**
     * Reads the propagators' headers of a received message ({@code headers}: AMQP values, {@code LongString} for text)
     * into this thread's array ({@link MessagingSpans#headerValues()}); null when the message has no headers.
     */
    public static String[] headerValues(java.util.Map<String, Object> headers) {
        if (headers == null || headers.isEmpty()) {
            return null;
        }
        String[] names = Propagation.names();
        String[] values = MessagingSpans.headerValues();
        for (int i = 0; i < names.length; i++) {
            Object value = headers.get(names[i]);
            if (value == null) {
                String written = MessagingSpans.writtenName(names[i]);
                if (written != null) {
                    value = headers.get(written);
                }
            }
            values[i] = text(value);
        }
        return values;
    }

    private static String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof byte[]) {
            return new String((byte[]) value, java.nio.charset.StandardCharsets.UTF_8);
        }
        return value.toString(); // String, or the client's LongString, whose toString is its UTF-8 text
    }

    /**
     * Starts the CONSUMER span of processing one delivery to the consumer {@code consumerTag}, current on this thread,
     * a child of the message's creation context ({@code headerValues} from {@link #headerValues(java.util.Map)}).
     */
    public static SpanSlot startProcess(int scopeId, String consumerTag, String exchange, String routingKey,
                                        long deliveryTag, long bodySize, String[] headerValues) {
        Broker consumer = consumerTag == null ? null : CONSUMERS.get(consumerTag);
        String queue = consumer == null ? null : consumer.queue;
        boolean anonymous = isEmpty(exchange) && isGeneratedQueueName(queue != null ? queue : routingKey);
        String destination = destination(exchange, routingKey, queue);
        SpanSlot span = MessagingSpans.startProcess(scopeId, SYSTEM, destination, anonymous, headerValues);
        if (span != null && span.isRecording()) {
            describe(span, consumer, routingKey, bodySize);
            span.setAttribute(DELIVERY_TAG, deliveryTag);
        }
        return span;
    }

    /**
     * Records the CONSUMER span of a {@code basicGet} that began at {@code startEpochNanos} and answered a message (or
     * failed: {@code error}); its parent is the current context, linked to the message's creation context (or, with
     * none current, the creation context is its parent). Ends it at once.
     */
    public static void received(int scopeId, Object channel, String queue, String exchange, String routingKey,
                                long deliveryTag, long bodySize, java.util.Map<String, Object> headers,
                                Throwable error, long startEpochNanos) {
        String[] values = headerValues(headers);
        SpanContext creation = values == null ? null : Propagation.extractContext(values);
        boolean anonymous = isEmpty(exchange) && isGeneratedQueueName(queue);
        String destination = destination(exchange, routingKey, queue);
        SpanSlot span = MessagingSpans.startReceive(scopeId, SYSTEM, "receive", destination, anonymous, creation,
            startEpochNanos);
        if (span == null) {
            return;
        }
        if (span.isRecording()) {
            describe(span, broker(channel), routingKey, bodySize);
            if (deliveryTag >= 0) {
                span.setAttribute(DELIVERY_TAG, deliveryTag);
            }
        }
        MessagingSpans.end(span, error);
    }

    private static void describe(SpanSlot span, Broker broker, String routingKey, long bodySize) {
        if (!isEmpty(routingKey)) {
            span.setAttribute(ROUTING_KEY, routingKey);
        }
        if (bodySize >= 0) {
            span.setAttribute(MessagingSpans.BODY_SIZE, bodySize);
        }
        if (broker != null && broker.port > 0) {
            span.setAttribute(MessagingSpans.SERVER_ADDRESS, broker.host);
            span.setAttribute(MessagingSpans.SERVER_PORT, broker.port);
            span.setAttribute(MessagingSpans.NETWORK_PEER_ADDRESS, broker.peerAddress);
            span.setAttribute(MessagingSpans.NETWORK_PEER_PORT, broker.port);
        }
    }

    /**
     * The destination name: the non-empty ones of exchange, routing key and queue (a queue equal to the routing key
     * once) joined with {@code ':'}; null when all are empty.
     */
    static String destination(String exchange, String routingKey, String queue) {
        boolean hasExchange = !isEmpty(exchange);
        boolean hasKey = !isEmpty(routingKey);
        boolean hasQueue = !isEmpty(queue) && !queue.equals(routingKey);
        int parts = (hasExchange ? 1 : 0) + (hasKey ? 1 : 0) + (hasQueue ? 1 : 0);
        if (parts == 0) {
            return null;
        }
        if (parts == 1) {
            return hasExchange ? exchange : hasKey ? routingKey : queue;
        }
        ConcurrentHashMap<String, ConcurrentHashMap<String, String>> byKey =
            DESTINATIONS.get(hasExchange ? exchange : "");
        ConcurrentHashMap<String, String> byQueue = byKey == null ? null : byKey.get(hasKey ? routingKey : "");
        String joined = byQueue == null ? null : byQueue.get(hasQueue ? queue : "");
        if (joined != null) {
            return joined;
        }
        StringBuilder name = new StringBuilder();
        if (hasExchange) {
            name.append(exchange);
        }
        if (hasKey) {
            name.append(name.length() > 0 ? ":" : "").append(routingKey);
        }
        if (hasQueue) {
            name.append(name.length() > 0 ? ":" : "").append(queue);
        }
        joined = name.toString();
        if (cached < MAX_CACHED) {
            cached++; // a racy count: the bound is approximate, which is all it needs to be
            if (byKey == null) {
                byKey = new ConcurrentHashMap<>();
                ConcurrentHashMap<String, ConcurrentHashMap<String, String>> raced =
                    DESTINATIONS.putIfAbsent(hasExchange ? exchange : "", byKey);
                byKey = raced != null ? raced : byKey;
            }
            if (byQueue == null) {
                byQueue = new ConcurrentHashMap<>();
                ConcurrentHashMap<String, String> raced = byKey.putIfAbsent(hasKey ? routingKey : "", byQueue);
                byQueue = raced != null ? raced : byQueue;
            }
            byQueue.put(hasQueue ? queue : "", joined);
        }
        return joined;
    }

    private static boolean isEmpty(String value) {
        return value == null || value.isEmpty();
    }

    /** A queue named by the broker or a framework for one consumer: anonymous, never part of a span name. */
    static boolean isGeneratedQueueName(String queue) {
        if (queue == null) {
            return false;
        }
        if (queue.startsWith("amq.gen-") || queue.startsWith("spring.gen-")) {
            return true;
        }
        if (queue.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = queue.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }
}
