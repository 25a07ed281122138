package dev.plume.bootstrap.record;

import dev.plume.bootstrap.trace.SpanSlot;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One thread's staging area in front of the {@link SpanRing}: the thread writes its span records here with plain
 * stores, and they reach the ring in blocks, one claim per block. With every thread claiming each span in the shared
 * ring, two threads ending spans at once spent most of a span's cost on the ring's tail and on the cache lines of
 * each other's records (BENCHMARKS.md, "the span hot path").
 *
 * <p>A single-producer queue: the owning thread appends at {@code tail} and publishes it with a release store; a
 * block is moved into the ring by the owner when the stage is full, or by the ring's reader (every read takes what
 * every stage holds, so a thread that goes quiet does not keep its spans). Moving is the consumer's side, and a
 * lock taken only to move (once per block, never per span) keeps the two movers apart; an owner that finds the
 * reader moving writes its span straight into the ring instead of waiting.
 *
 * <pre>
 * stage and block layout: entries of [length int, reserved int, record (length bytes), padding to 8 bytes]
 *                         a negative length -n: n bytes of padding to the end of the stage (the stage wrapped)
 * </pre>
 * A block in the ring ({@link SpanRing#MSG_TYPE_BLOCK}) is the stage's bytes from head to tail, in order.
 */
public final class SpanStage {
    /** Bytes per stage: a block fits in the smallest ring's largest message, and a stage stays in the core's L2. */
    static final int CAPACITY = 16 << 10;
    /** Records larger than this go straight to the ring: a few of them would fill the stage. */
    static final int MAX_RECORD_LENGTH = CAPACITY / 4;
    static final int ENTRY_HEADER = 8;

    private static final VarHandle TAIL;
    private static final VarHandle HEAD;
    private static final VarHandle MOVING;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TAIL = lookup.findVarHandle(SpanStage.class, "tail", long.class);
            HEAD = lookup.findVarHandle(SpanStage.class, "head", long.class);
            MOVING = lookup.findVarHandle(SpanStage.class, "moving", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final SpanRing ring;
    private final boolean none;
    private final UnsafeBuffer buffer;
    private final int mask;

    /** The owner's write position (released after each record); positions only grow, the index is {@code & mask}. */
    private long tail;
    /** The owner's last view of {@link #head}, so a span with room left reads nothing the reader writes. */
    private long headSeen;
    /** What has been moved into the ring (written by the mover, under {@link #moving}). */
    private volatile long head;
    /** 1 while a block is being moved, by the owner or the reader. */
    private volatile int moving;
    /** The thread appending here; null while the stage waits in the ring's free list. */
    volatile Thread owner;

    SpanStage(SpanRing ring, int capacity) {
        this.ring = ring;
        this.none = capacity < ENTRY_HEADER + SpanRecordCodec.HEADER_LENGTH;
        this.buffer = new UnsafeBuffer(new byte[capacity]);
        this.mask = capacity - 1;
    }

    /** Whether this is the stage with no room that threads past the ring's stage limit get. */
    public boolean isNone() {
        return none;
    }

    /** Whether this stage stages for {@code target} (a stage of an earlier ring, in tests, is not used again). */
    public boolean isFor(SpanRing target) {
        return ring == target;
    }

    /**
     * Appends the planned record, of at most {@code length} bytes (owner thread only); false when there is no room and
     * no block could be moved (the ring full, or the reader moving this stage now): the caller writes the span into the
     * ring itself.
     */
    boolean append(SpanSlot slot, long plan, int length) {
        int entry = (ENTRY_HEADER + length + 7) & ~7;
        long position = tail;
        int index = (int) position & mask;
        int toEnd = buffer.capacity() - index;
        int padding = entry > toEnd ? toEnd : 0;
        long end = position + padding + entry;
        if (end - headSeen > buffer.capacity()) {
            headSeen = head;
            if (end - headSeen > buffer.capacity()) {
                if (!move()) {
                    return false;
                }
                headSeen = head;
                if (end - headSeen > buffer.capacity()) {
                    return false;
                }
            }
        }
        if (padding > 0) {
            buffer.putInt(index, -padding);
            index = 0;
        }
        int written = SpanRecordCodec.encode(slot, plan, buffer, index + ENTRY_HEADER);
        buffer.putInt(index, written);
        // the record's bytes before the position that shows them
        TAIL.setRelease(this, position + padding + ((ENTRY_HEADER + written + 7) & ~7));
        return true;
    }

    /** Whether records wait here (any thread). */
    boolean holdsRecords() {
        return (long) TAIL.getAcquire(this) != head;
    }

    /** Bytes waiting here (any thread). */
    long stagedBytes() {
        return (long) TAIL.getAcquire(this) - head;
    }

    /**
     * Moves everything staged into the ring as one block (any thread). False when another thread is moving this stage,
     * or the ring has no room for the block: the records stay staged, nothing is lost.
     */
    boolean move() {
        if (!MOVING.compareAndSet(this, 0, 1)) {
            return false;
        }
        try {
            long from = head;
            long to = (long) TAIL.getAcquire(this);
            if (to == from) {
                return true;
            }
            int bytes = (int) (to - from);
            int claimed = ring.claimBlock(bytes);
            if (claimed <= 0) {
                return false;
            }
            UnsafeBuffer target = ring.buffer();
            int index = (int) from & mask;
            int first = Math.min(bytes, buffer.capacity() - index);
            target.putBytes(claimed, buffer, index, first);
            if (first < bytes) {
                target.putBytes(claimed + first, buffer, 0, bytes - first);
            }
            ring.commitBlock(claimed);
            head = to;
            return true;
        } finally {
            MOVING.setRelease(this, 0);
        }
    }
}
