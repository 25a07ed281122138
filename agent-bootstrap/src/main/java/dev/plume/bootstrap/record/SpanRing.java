package dev.plume.bootstrap.record;

import dev.plume.bootstrap.trace.SpanSlot;
import org.agrona.BitUtil;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The off-heap many-to-one ring buffer between the application's threads (writers) and the exporter thread (reader).
 * A writer claims space, encodes the span in place and commits; when the ring is full the span is dropped and counted,
 * never waited for.
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

    private final ManyToOneRingBuffer ring;
    private final UnsafeBuffer buffer;
    private final int maxRecordLength;
    private final long readThreshold;
    /** When the reader last read (reader thread only). */
    private long lastReadNanos;
    private final AtomicLong droppedRingFull = new AtomicLong();
    private final AtomicLong droppedEncodingFailed = new AtomicLong();
    private final AtomicLong cutToFit = new AtomicLong();

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
        // nanoTime may be negative: start "a delay ago" so the first span is read at once whatever its origin
        lastReadNanos = System.nanoTime() - READ_DELAY_NANOS;
    }

    /** Rounds a configured size to the power of two the ring needs (down, so memory stays within what was asked). */
    public static int capacityFor(long requestedBytes) {
        long clamped = Math.max(MIN_CAPACITY, Math.min(MAX_CAPACITY, requestedBytes));
        return (int) Long.highestOneBit(clamped);
    }

    /** Writes the span's record; returns false when it was dropped (ring full). */
    public boolean write(SpanSlot slot) {
        long plan = SpanRecordCodec.plan(slot, maxRecordLength);
        int length = SpanRecordCodec.plannedLength(plan);
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
     * The reader's pacing: whether to read now. True once a sixteenth of the ring is waiting, or once anything has
     * waited {@link #READ_DELAY_NANOS} since the last read, so the reader stays well behind the writers.
     */
    public boolean readDue(long nowNanos) {
        long waiting = ring.size();
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

    /** Reads up to {@code limit} records (reader thread only); see {@link #readDue}. */
    public int read(MessageHandler handler, int limit, long nowNanos) {
        lastReadNanos = nowNanos;
        return ring.read(handler, limit);
    }

    /** The reader's side: the exporter thread reads records through this. */
    public ManyToOneRingBuffer ringBuffer() {
        return ring;
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

    /** Bytes written and not yet read. */
    public long bufferedBytes() {
        return ring.size();
    }
}
