package dev.plume.bootstrap.record;

import dev.plume.bootstrap.trace.SpanSlot;
import org.agrona.BitUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The off-heap many-to-one ring buffer between the application's threads (writers) and the exporter thread (reader).
 * A thread with a {@link SpanStage} writes its records there and they reach the ring a block at a time; a span that
 * does not fit a stage (a thread past {@link #maxStages}, a large record, a span ended on another thread) claims its
 * own place in the ring. When the ring is full the span is dropped and counted, never waited for. Reading takes
 * every stage's records first, so the reader sees every span ended before the read began.
 */
public final class SpanRing {
    /** Default capacity of the ring: 8 MiB holds tens of thousands of typical spans. */
    public static final int DEFAULT_CAPACITY = 8 << 20;
    /** Smallest capacity accepted: the largest record must fit in an eighth of it, with room for the fixed part. */
    public static final int MIN_CAPACITY = 1 << 19;
    public static final int MAX_CAPACITY = 1 << 30;

    /**
     * The reader reads once this much of the ring is waiting, or once anything has waited {@link #READ_DELAY_NANOS}.
     * A reader right behind the writers touches the cache lines they are writing, and every record then moves between
     * cores: on the benchmark machine that almost doubled what a span costs the application (BENCHMARKS.md).
     */
    public static final long READ_DELAY_NANOS = 10_000_000L;

    /** A message holding several records, moved in from a {@link SpanStage} (layout there). */
    static final int MSG_TYPE_BLOCK = 2;
    /** What a reader is handed for the rest of a block that does not parse (a bug): the reader counts it dropped. */
    public static final int MSG_TYPE_MALFORMED = -1;

    private final ManyToOneRingBuffer ring;
    private final UnsafeBuffer buffer;
    private final int maxRecordLength;
    private final long readThreshold;
    /** When the reader last read (reader thread only). */
    private long lastReadNanos;
    private final AtomicLong droppedRingFull = new AtomicLong();
    private final AtomicLong droppedEncodingFailed = new AtomicLong();
    private final AtomicLong cutToFit = new AtomicLong();

    /** Every stage made for this ring (copy on write: one is added per thread, up to maxStages). */
    private volatile SpanStage[] stages = new SpanStage[0];
    /** Stages whose thread ended, for the next thread (reclaimed by the reader). */
    private final ManyToManyConcurrentArrayQueue<SpanStage> freeStages;
    /** At most this many stages: half the ring's size, so staging never holds more than the ring does. */
    private final int maxStages;
    /**
     * What threads past maxStages get: a stage with no room, so they write into the ring (asking for a stage again every
     * few thousand spans, once those of threads that ended may have been freed).
     */
    private final SpanStage noStage;
    /** Unpacks blocks for the handler of the current read (reader thread only). */
    private final BlockReader blockReader = new BlockReader();

    /** @param capacity a power of two; the buffer is allocated off-heap with the ring's trailer */
    public SpanRing(int capacity) {
        if (!BitUtil.isPowerOfTwo(capacity) || capacity < MIN_CAPACITY || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("ring capacity must be a power of two from " + MIN_CAPACITY + " to "
                + MAX_CAPACITY + ": " + capacity);
        }
        buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH));
        ring = new ManyToOneRingBuffer(buffer);
        maxRecordLength = ring.maxMsgLength();
        readThreshold = capacity / 16;
        maxStages = Math.max(1, capacity / 2 / SpanStage.CAPACITY);
        freeStages = new ManyToManyConcurrentArrayQueue<>(Math.max(2, maxStages));
        noStage = new SpanStage(this, 8);
        // nanoTime may be negative: start "a delay ago" so the first span is read at once whatever its origin
        lastReadNanos = System.nanoTime() - READ_DELAY_NANOS;
    }

    /** Rounds a configured size to the power of two the ring needs (down, so memory stays within what was asked). */
    public static int capacityFor(long requestedBytes) {
        long clamped = Math.max(MIN_CAPACITY, Math.min(MAX_CAPACITY, requestedBytes));
        return (int) Long.highestOneBit(clamped);
    }

    /** Writes the span's record into the ring itself; returns false when it was dropped (ring full). */
    public boolean write(SpanSlot slot) {
        long plan = SpanRecordCodec.plan(slot, maxRecordLength);
        return writeToRing(slot, plan, SpanRecordCodec.plannedLength(plan));
    }

    /**
     * Writes the span's record into {@code stage} (the calling thread's, from {@link #stageFor}), or into the ring
     * when the stage has no room; returns false when it was dropped (ring full).
     */
    public boolean write(SpanSlot slot, SpanStage stage) {
        if (stage.isNone()) {
            return write(slot);
        }
        // most spans: a bound from string lengths, and one pass writing it; the others are measured first
        int bound = SpanRecordCodec.bound(slot, SpanStage.MAX_RECORD_LENGTH);
        long plan = bound > 0 ? SpanRecordCodec.planWhole(slot, bound) : SpanRecordCodec.plan(slot, maxRecordLength);
        int length = SpanRecordCodec.plannedLength(plan);
        if (length <= SpanStage.MAX_RECORD_LENGTH) {
            boolean staged;
            try {
                staged = stage.append(slot, plan, length);
            } catch (Throwable t) {
                droppedEncodingFailed.incrementAndGet();
                return false;
            }
            if (staged) {
                if (bound <= 0 && SpanRecordCodec.isCut(slot, plan)) {
                    cutToFit.incrementAndGet();
                }
                return true;
            }
        } else if (stage.holdsRecords()) {
            stage.move(); // the thread's earlier spans first, so that a reader sees each thread's spans in order
        }
        if (bound > 0) {
            plan = SpanRecordCodec.plan(slot, maxRecordLength); // the ring's claim takes the exact length
        }
        return writeToRing(slot, plan, SpanRecordCodec.plannedLength(plan));
    }

    private boolean writeToRing(SpanSlot slot, long plan, int length) {
        int index = ring.tryClaim(SpanRecordCodec.MSG_TYPE_SPAN, length);
        if (index <= 0) {
            droppedRingFull.incrementAndGet();
            return false;
        }
        try {
            if (SpanRecordCodec.encode(slot, plan, buffer, index) != length) {
                throw new IllegalStateException("span record shorter than measured");
            }
            ring.commit(index);
        } catch (Throwable t) {
            ring.abort(index);
            droppedEncodingFailed.incrementAndGet();
            return false;
        }
        if (SpanRecordCodec.isCut(slot, plan)) {
            cutToFit.incrementAndGet();
        }
        return true;
    }

    /**
     * A stage for {@code thread}'s records (called by that thread, once, or again now and then while it has none): a
     * free one, a new one, or past {@link #maxStages} one with no room (the thread then writes into the ring).
     */
    public SpanStage stageFor(Thread thread) {
        SpanStage stage = freeStages.poll();
        if (stage == null) {
            synchronized (this) {
                SpanStage[] all = stages;
                if (all.length >= maxStages) {
                    return noStage;
                }
                stage = new SpanStage(this, SpanStage.CAPACITY);
                SpanStage[] grown = java.util.Arrays.copyOf(all, all.length + 1);
                grown[all.length] = stage;
                stages = grown;
            }
        }
        stage.owner = thread;
        return stage;
    }

    /** Whether {@code thread} owns one of the stages. */
    boolean ownsStage(Thread thread) {
        for (SpanStage stage : stages) {
            if (stage.owner == thread) {
                return true;
            }
        }
        return false;
    }

    /** Stages made so far (at most {@link #maxStages}). */
    int stageCount() {
        return stages.length;
    }

    int maxStages() {
        return maxStages;
    }

    int claimBlock(int length) {
        return ring.tryClaim(MSG_TYPE_BLOCK, length);
    }

    void commitBlock(int index) {
        ring.commit(index);
    }

    UnsafeBuffer buffer() {
        return buffer;
    }

    /**
     * Moves what every stage holds into the ring (reader thread), and frees the stages of threads that ended. A stage
     * its owner is moving right now is left to it; one that does not fit the ring now waits for the next read.
     */
    private void collectStages() {
        for (SpanStage stage : stages) {
            if (stage.holdsRecords()) {
                stage.move();
            }
            Thread owner = stage.owner;
            if (owner != null && !owner.isAlive() && !stage.holdsRecords()) {
                stage.owner = null; // its last append happened before the thread ended, and so before isAlive said so
                freeStages.offer(stage);
            }
        }
    }

    /**
     * The reader's pacing: whether to read now. True once a sixteenth of the ring is waiting, or once anything has
     * waited {@link #READ_DELAY_NANOS} since the last read, so the reader stays well behind the writers.
     */
    public boolean readDue(long nowNanos) {
        long waiting = bufferedBytes();
        return waiting >= readThreshold || (waiting > 0 && nowNanos - lastReadNanos >= READ_DELAY_NANOS);
    }

    /**
     * How long the reader may sleep before anything can be due by age ({@link #READ_DELAY_NANOS} after the last
     * read), whatever the ring holds now; 0 once that delay has passed. Reads nothing the writers write. A ring
     * smaller than the default is looked at sooner, in proportion (at least every millisecond), so that a burst
     * cannot fill it while the reader sleeps: the default ring holds 10 ms of ~800 MB/s of records.
     */
    public long nanosUntilReadDue(long nowNanos) {
        long longest = Math.max(1_000_000L, READ_DELAY_NANOS * ring.capacity() / DEFAULT_CAPACITY);
        return Math.max(0, Math.min(longest, READ_DELAY_NANOS - (nowNanos - lastReadNanos)));
    }

    /**
     * Reads up to about {@code limit} records (reader thread only; a block moved in from a stage is read whole, so a
     * read may pass the limit by a block's records); see {@link #readDue}. Returns the number of records read.
     */
    public int read(MessageHandler handler, int limit, long nowNanos) {
        lastReadNanos = nowNanos;
        return read(handler, limit);
    }

    /** Reads as {@link #read(MessageHandler, int, long)} does, outside the reader's pacing (draining, tests). */
    public int read(MessageHandler handler, int limit) {
        if (limit <= 0) {
            return 0;
        }
        collectStages();
        BlockReader reader = blockReader;
        reader.handler = handler;
        reader.records = 0;
        try {
            ring.read(reader, limit);
            if (reader.records < limit && ring.size() > 0) {
                ring.read(reader, limit - reader.records); // Agrona's read stops at the end of the buffer
            }
        } finally {
            reader.handler = null;
        }
        return reader.records;
    }

    /** Reads everything there is now (reader thread only). */
    public int read(MessageHandler handler) {
        return read(handler, Integer.MAX_VALUE);
    }

    /** Hands a ring message's records to the read's handler, one by one: a record as is, a block record by record. */
    private static final class BlockReader implements MessageHandler {
        MessageHandler handler;
        int records;

        @Override
        public void onMessage(int msgTypeId, MutableDirectBuffer buffer, int index, int length) {
            if (msgTypeId != MSG_TYPE_BLOCK) {
                records++;
                handler.onMessage(msgTypeId, buffer, index, length);
                return;
            }
            int end = index + length;
            int at = index;
            while (at + SpanStage.ENTRY_HEADER <= end) {
                int recordLength = buffer.getInt(at);
                int step = recordLength < 0 ? -recordLength : (SpanStage.ENTRY_HEADER + recordLength + 7) & ~7;
                if (recordLength == 0 || step <= 0 || (step & 7) != 0 || at + step > end) {
                    records++;
                    handler.onMessage(MSG_TYPE_MALFORMED, buffer, at, end - at); // the reader counts it
                    return;
                }
                if (recordLength > 0) {
                    records++;
                    handler.onMessage(SpanRecordCodec.MSG_TYPE_SPAN, buffer, at + SpanStage.ENTRY_HEADER,
                        recordLength);
                }
                at += step;
            }
        }
    }

    public int capacity() {
        return ring.capacity();
    }

    public int maxRecordLength() {
        return maxRecordLength;
    }

    /** Spans dropped because the ring was full. */
    public long droppedRingFull() {
        return droppedRingFull.get();
    }

    /** Spans dropped because encoding them failed (a bug; counted so it is visible). */
    public long droppedEncodingFailed() {
        return droppedEncodingFailed.get();
    }

    /** Spans that lost attributes or events to fit the largest record. */
    public long cutToFit() {
        return cutToFit.get();
    }

    /** Bytes written and not yet read, in the ring and in the stages. */
    public long bufferedBytes() {
        long bytes = ring.size();
        for (SpanStage stage : stages) {
            bytes += stage.stagedBytes();
        }
        return bytes;
    }
}
