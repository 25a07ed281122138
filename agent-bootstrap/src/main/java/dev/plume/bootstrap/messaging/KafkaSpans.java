package dev.plume.bootstrap.messaging;

import dev.plume.bootstrap.context.ContextCarrier;
import dev.plume.bootstrap.trace.AttributeKey;
import dev.plume.bootstrap.trace.EpochClock;
import dev.plume.bootstrap.trace.Propagation;
import dev.plume.bootstrap.trace.SpanContext;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;

import java.util.Iterator;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * Kafka's messaging spans ({@code messaging.system=kafka}): {@code send <topic>} per record a producer sends, ended
 * when the broker acknowledges it; {@code poll <topic>} for a poll that returned records (with the batch's size and a
 * link to each record's creation context); {@code process <topic>} for each record the application takes from the
 * poll's records, a child of the context its producer wrote into its headers, current until the application takes the
 * next record (or the iteration ends, or the thread polls again), as the OpenTelemetry agent does.
 *
 * <p>Per client (the agent's field of {@code KafkaProducer} and {@code KafkaConsumer}): its client id and consumer
 * group, from its configuration. Per poll result (the field of {@code ConsumerRecords}): the records' facts, read
 * once at the poll ({@link Batch}); iterating hands each record its own.
 */
public final class KafkaSpans {
    private static final String SYSTEM = "kafka";
    private static final AttributeKey OFFSET = AttributeKey.of("messaging.kafka.offset");
    private static final AttributeKey MESSAGE_KEY = AttributeKey.of("messaging.kafka.message.key");
    private static final AttributeKey TOMBSTONE = AttributeKey.of("messaging.kafka.message.tombstone");

    /** A send whose span waits for Kafka's callback object, made further down the same {@code send}. */
    private static final ThreadLocal<Send> PENDING = new ThreadLocal<>();
    /** The iteration whose record is being processed on this thread, ended when the thread polls again. */
    private static final ThreadLocal<BatchIterator> PROCESSING = new ThreadLocal<>();

    /** Whether a poll that returns records is a receive span (the messaging receive-telemetry key). */
    private static volatile boolean receiveTelemetry;

    private KafkaSpans() {
    }

    /**
     * Polls are receive spans too, or not (the OpenTelemetry agent's default: process spans only, each a child of its
     * record's send).
     */
    public static void receiveTelemetry(boolean enabled) {
        receiveTelemetry = enabled;
    }

    /**
     * A client's facts: client id, (for a consumer) group, and the first bootstrap server of its configuration as
     * {@code server.address}/{@code server.port} (the cluster it talks to; the broker a request goes to is not known
     * without reading Kafka's internals); parsed once, when the client is made.
     */
    static final class Client {
        final String clientId;
        final String group;
        final String serverAddress;
        final long serverPort;

        Client(String clientId, String group, String bootstrapServer) {
            this.clientId = clientId;
            this.group = group;
            String host = null;
            long port = -1;
            if (bootstrapServer != null) {
                String server = bootstrapServer.trim();
                int colon = server.lastIndexOf(':');
                if (colon > 0 && colon < server.length() - 1) {
                    try {
                        port = Long.parseLong(server.substring(colon + 1));
                        host = server.substring(server.charAt(0) == '[' ? 1 : 0,
                            server.charAt(colon - 1) == ']' ? colon - 1 : colon);
                    } catch (NumberFormatException | IndexOutOfBoundsException notHostAndPort) {
                        host = null;
                    }
                }
            }
            this.serverAddress = host == null || host.isEmpty() ? null : host;
            this.serverPort = this.serverAddress == null ? -1 : port;
        }
    }

    /**
     * A client was made with this configuration (its client id already generated when none was given;
     * {@code bootstrapServers} its {@code bootstrap.servers} list, or null).
     */
    public static void configured(Object client, String clientId, String group,
                                  java.util.List<String> bootstrapServers) {
        if (client instanceof ContextCarrier) {
            ((ContextCarrier) client).plume$setContext(new Client(clientId, group,
                bootstrapServers == null || bootstrapServers.isEmpty() ? null : bootstrapServers.get(0)));
        }
    }

    private static Client client(Object client) {
        if (client instanceof ContextCarrier) {
            Object carried = ((ContextCarrier) client).plume$getContext();
            if (carried instanceof Client) {
                return (Client) carried;
            }
        }
        return null;
    }

    /** The text of a record key worth recording: a string as it is, numbers and the like as text, bytes never. */
    public static String keyText(Object key) {
        if (key == null || key instanceof byte[] || key instanceof java.nio.ByteBuffer) {
            return null;
        }
        return key instanceof String ? (String) key : key.toString();
    }

    // ---- producer

    /** One record being sent: its span, and the context the application sent it in (for its callback). */
    public static final class Send {
        private static final AtomicReferenceFieldUpdater<Send, SpanSlot> SPAN =
            AtomicReferenceFieldUpdater.newUpdater(Send.class, SpanSlot.class, "span");
        volatile SpanSlot span;
        final SpanContext caller;

        Send(SpanSlot span, SpanContext caller) {
            this.span = span;
            this.caller = caller;
        }

        /** The value of outgoing header {@code index} for this record, or null to write none. */
        public String outgoingValue(int index) {
            SpanSlot open = span;
            return open == null ? null : Propagation.outgoingValue(index, open);
        }

        /** Ends the span once, whoever comes first (the acknowledgement, or a failure seen by {@code send}). */
        void end(int partition, long offset, Throwable error) {
            SpanSlot open = SPAN.getAndSet(this, null);
            if (open == null) {
                return;
            }
            if (open.isRecording()) {
                if (partition >= 0) {
                    open.setAttribute(MessagingSpans.DESTINATION_PARTITION_ID, MessagingSpans.number(partition));
                }
                if (offset >= 0) {
                    open.setAttribute(OFFSET, offset);
                }
            }
            MessagingSpans.end(open, error);
        }
    }

    /**
     * Starts the PRODUCER span of sending one record (not current: it ends when the broker answers, on Kafka's I/O
     * thread); the caller writes its context into the record's headers ({@link Send#outgoingValue}).
     */
    public static Send startSend(int scopeId, Object producer, String topic, String key, boolean tombstone) {
        SpanSlot span = MessagingSpans.startDetachedProducer(scopeId, SYSTEM, "send", topic);
        if (span == null) {
            return null;
        }
        if (span.isRecording()) {
            Client client = client(producer);
            if (client != null) {
                span.setAttribute(MessagingSpans.CLIENT_ID, client.clientId);
                server(span, client);
            }
            if (key != null) {
                span.setAttribute(MESSAGE_KEY, key);
            }
            if (tombstone) {
                span.setAttribute(TOMBSTONE, true);
            }
        }
        Send send = new Send(span, Tracer.captureContext());
        PENDING.set(send);
        return send;
    }

    /**
     * Kafka made a callback object for the record being sent on this thread: it carries the send from now on. The send
     * stays pending until {@code send} returns: Kafka 3.0 to 3.1 make a second callback when the record starts a new
     * batch and drop the first, so whichever one Kafka completes ends the span (once).
     */
    public static void callbackMade(Object callback) {
        Send send = PENDING.get();
        if (send != null && callback instanceof ContextCarrier) {
            ((ContextCarrier) callback).plume$setContext(send);
        }
    }

    /**
     * The broker answered the record {@code callback} belongs to: its span ends, and the application's callback runs
     * in the context the record was sent in. Returns whether that context was attached ({@link #callbackDone}).
     */
    public static boolean acknowledged(Object callback, int partition, long offset, Throwable error) {
        if (!(callback instanceof ContextCarrier)) {
            return false;
        }
        Object carried = ((ContextCarrier) callback).plume$getContext();
        if (!(carried instanceof Send)) {
            return false;
        }
        ((ContextCarrier) callback).plume$setContext(null);
        Send send = (Send) carried;
        send.end(partition, offset, error);
        if (send.caller != null) {
            Tracer.attach(send.caller);
            return true;
        }
        return false;
    }

    /** After the application's callback: detaches what {@link #acknowledged} attached. */
    public static void callbackDone(boolean attached) {
        if (attached) {
            Tracer.detach();
        }
    }

    /**
     * {@code send} returned ({@code result}, a {@code Future}) or threw: a record Kafka refused before it made a
     * callback, or whose future failed at once, ends here with the failure; then the call is left.
     */
    public static void sendReturned(int scopeId, Send send, java.util.concurrent.Future<?> result, Throwable error) {
        try {
            if (send == null) {
                return;
            }
            if (PENDING.get() == send) {
                PENDING.set(null);
            }
            if (error != null) {
                send.end(-1, -1, error);
            } else if (result != null && result.isDone() && send.span != null) {
                Throwable failure = null;
                try {
                    result.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    failure = e.getCause() != null ? e.getCause() : e;
                } catch (Exception e) {
                    failure = e;
                }
                if (failure != null) {
                    send.end(-1, -1, failure);
                }
            }
        } finally {
            Tracer.exitCall(scopeId);
        }
    }

    // ---- consumer

    /** The facts of one poll's records, read once at the poll, in the order the poll's own iterator gives them. */
    public static final class Batch {
        final Object[] records;
        final String[] topics;
        final int[] partitions;
        final long[] offsets;
        final String[] keys;
        final int[] bodySizes;
        final SpanContext[] creations;
        final Client client;
        int count;

        Batch(int capacity, Client client) {
            records = new Object[capacity];
            topics = new String[capacity];
            partitions = new int[capacity];
            offsets = new long[capacity];
            keys = new String[capacity];
            bodySizes = new int[capacity];
            creations = new SpanContext[capacity];
            this.client = client;
        }

        /** One record, its header values read into {@code headerValues} ({@link MessagingSpans#headerValues()}). */
        public void add(Object record, String topic, int partition, long offset, String key, int bodySize,
                        String[] headerValues) {
            if (count == records.length) {
                return;
            }
            int i = count++;
            records[i] = record;
            topics[i] = topic;
            partitions[i] = partition;
            offsets[i] = offset;
            keys[i] = key;
            bodySizes[i] = bodySize;
            creations[i] = headerValues == null ? null : Propagation.extractContext(headerValues);
        }

        /** The index of {@code record}, looked for from {@code from} on (iteration is usually in order). */
        int indexOf(Object record, int from) {
            for (int i = from; i < count; i++) {
                if (records[i] == record) {
                    return i;
                }
            }
            for (int i = 0; i < from && i < count; i++) {
                if (records[i] == record) {
                    return i;
                }
            }
            return -1;
        }
    }

    /**
     * A poll is about to run on this thread: the record the application was processing (if it left the iteration
     * early) is done.
     */
    public static void polling() {
        BatchIterator open = PROCESSING.get();
        if (open != null) {
            open.endCurrent();
        }
    }

    /** A batch for a poll's {@code count} records by {@code consumer}, for the advice to fill. */
    public static Batch batch(Object consumer, int count) {
        return new Batch(count, client(consumer));
    }

    /**
     * A poll that began at {@code startEpochNanos} returned {@code records} (a {@code ConsumerRecords} with the agent's
     * field), whose facts are in {@code batch}: its receive span (linked to each record's creation context), and the
     * batch kept on the records for their processing.
     */
    public static void polled(int scopeId, Object records, Batch batch, long startEpochNanos) {
        if (batch.count == 0) {
            return;
        }
        String topic = batch.topics[0];
        for (int i = 1; i < batch.count; i++) {
            if (!topic.equals(batch.topics[i])) {
                topic = null; // records of several topics: no one destination
                break;
            }
        }
        SpanSlot span = receiveTelemetry
            ? MessagingSpans.startReceive(scopeId, SYSTEM, "poll", topic, false, null, startEpochNanos) : null;
        if (span != null) {
            if (span.isRecording()) {
                span.setAttribute(MessagingSpans.BATCH_MESSAGE_COUNT, batch.count);
                describe(span, batch.client);
                for (int i = 0; i < batch.count; i++) {
                    MessagingSpans.link(span, batch.creations[i]);
                }
            }
            span.end();
        }
        if (records instanceof ContextCarrier) {
            ((ContextCarrier) records).plume$setContext(batch);
        }
    }

    private static void describe(SpanSlot span, Client client) {
        if (client != null) {
            span.setAttribute(MessagingSpans.CLIENT_ID, client.clientId);
            span.setAttribute(MessagingSpans.CONSUMER_GROUP, client.group);
            server(span, client);
        }
    }

    private static void server(SpanSlot span, Client client) {
        if (client.serverAddress != null) {
            span.setAttribute(MessagingSpans.SERVER_ADDRESS, client.serverAddress);
            span.setAttribute(MessagingSpans.SERVER_PORT, client.serverPort);
        }
    }

    /**
     * The iterator to give the application for {@code records}' own {@code iterator}: one that makes each record's
     * process span, when the records came from a traced poll; else the iterator itself.
     */
    public static Iterator<?> iterator(Object records, Iterator<?> iterator) {
        if (iterator == null || !(records instanceof ContextCarrier)) {
            return iterator;
        }
        Object carried = ((ContextCarrier) records).plume$getContext();
        return carried instanceof Batch ? new BatchIterator(iterator, (Batch) carried) : iterator;
    }

    /**
     * What {@code records}' {@code records(TopicPartition)} (a {@code List}) or {@code records(topic)} (an
     * {@code Iterable}) returned, to give the application instead: the same records, whose iteration makes each one's
     * process span as {@link #iterator} does, when the records came from a traced poll; else {@code result} itself.
     */
    public static Object records(Object records, Object result) {
        if (result == null || !(records instanceof ContextCarrier)) {
            return result;
        }
        Object carried = ((ContextCarrier) records).plume$getContext();
        if (!(carried instanceof Batch)) {
            return result;
        }
        if (result instanceof java.util.List) {
            return new BatchList((java.util.List<?>) result, (Batch) carried);
        }
        return result instanceof Iterable ? new BatchIterable((Iterable<?>) result, (Batch) carried) : result;
    }

    /** One topic's records ({@code records(topic)}): iterating them makes their process spans. */
    static final class BatchIterable implements Iterable<Object> {
        private final Iterable<?> records;
        private final Batch batch;

        BatchIterable(Iterable<?> records, Batch batch) {
            this.records = records;
            this.batch = batch;
        }

        @Override
        public Iterator<Object> iterator() {
            return new BatchIterator(records.iterator(), batch);
        }
    }

    /**
     * One partition's records ({@code records(TopicPartition)}, an unmodifiable list): its iterator (a {@code for}
     * loop, {@code forEach}) makes their process spans; reading them by index does not, as in the OpenTelemetry agent.
     */
    static final class BatchList extends java.util.AbstractList<Object> {
        private final java.util.List<?> records;
        private final Batch batch;

        BatchList(java.util.List<?> records, Batch batch) {
            this.records = records;
            this.batch = batch;
        }

        @Override
        public Object get(int index) {
            return records.get(index);
        }

        @Override
        public int size() {
            return records.size();
        }

        @Override
        public Iterator<Object> iterator() {
            return new BatchIterator(records.iterator(), batch);
        }
    }

    /** A poll's records as the application takes them: each record's process span from its {@code next} on. */
    static final class BatchIterator implements Iterator<Object> {
        private final Iterator<?> records;
        private final Batch batch;
        private int next;
        private SpanSlot current;

        BatchIterator(Iterator<?> records, Batch batch) {
            this.records = records;
            this.batch = batch;
        }

        @Override
        public boolean hasNext() {
            boolean more = records.hasNext();
            if (!more) {
                endCurrent();
            }
            return more;
        }

        @Override
        public Object next() {
            endCurrent();
            Object record = records.next();
            try {
                start(record);
            } catch (Throwable ignored) {
                // the record reaches the application untraced
            }
            return record;
        }

        @Override
        public void remove() {
            records.remove();
        }

        private void start(Object record) {
            int i = batch.indexOf(record, next);
            if (i < 0) {
                return;
            }
            next = i + 1;
            SpanSlot span = MessagingSpans.startProcess(dev.plume.bootstrap.trace.InstrumentationScope.KAFKA, SYSTEM,
                batch.topics[i], batch.creations[i]);
            if (span == null) {
                return;
            }
            if (span.isRecording()) {
                describe(span, batch.client);
                span.setAttribute(MessagingSpans.DESTINATION_PARTITION_ID, MessagingSpans.number(batch.partitions[i]));
                span.setAttribute(OFFSET, batch.offsets[i]);
                if (batch.keys[i] != null) {
                    span.setAttribute(MESSAGE_KEY, batch.keys[i]);
                }
                if (batch.bodySizes[i] >= 0) {
                    span.setAttribute(MessagingSpans.BODY_SIZE, batch.bodySizes[i]);
                } else {
                    span.setAttribute(TOMBSTONE, true);
                }
            }
            current = span;
            PROCESSING.set(this);
        }

        void endCurrent() {
            SpanSlot open = current;
            if (open != null) {
                current = null;
                if (PROCESSING.get() == this) {
                    PROCESSING.set(null);
                }
                open.end(EpochClock.nowEpochNanos());
            }
        }
    }
}
