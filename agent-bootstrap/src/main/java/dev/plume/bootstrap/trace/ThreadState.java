package dev.plume.bootstrap.trace;

import dev.plume.bootstrap.record.SpanRing;
import dev.plume.bootstrap.record.SpanStage;

import java.util.Arrays;

/**
 * A thread's tracing state: its pool of span slots (grown to the deepest nesting the thread has used, no further),
 * the span currently open on it, the contexts attached to it by hand-offs from other threads, and how deep it is in
 * each library's instrumented calls.
 *
 * <p>Call depth is how nesting is detected (a servlet filter chain calling itself, {@code send} calling
 * {@code sendAsync}): per library, never by looking at the current span, which a span that was never ended would
 * make wrong forever. Leaving a library's outermost call also restores what the thread had when it entered it: spans
 * begun since then and still current (never ended, or ended on another thread) stop being current, and attachments
 * never detached are unwound. A lost end costs one span, not the thread.
 */
final class ThreadState {
    private static final ThreadLocal<ThreadState> CURRENT = ThreadLocal.withInitial(ThreadState::forCurrentThread);
    /** {@code Thread.isVirtual()} (JDK 21), or null on a JDK without virtual threads. */
    private static final java.lang.invoke.MethodHandle IS_VIRTUAL = isVirtualHandle();
    /**
     * States a virtual thread let go of (the thread's outermost instrumented call returned with nothing open), for the
     * next virtual thread: a server that runs each request on a new virtual thread then makes no state, slots or
     * attribute arrays per request. Bounded: past it, a state is left to the collector.
     */
    private static final org.agrona.concurrent.ManyToManyConcurrentArrayQueue<ThreadState> FREE_VIRTUAL =
        new org.agrona.concurrent.ManyToManyConcurrentArrayQueue<>(1024);
    private static final java.util.concurrent.atomic.AtomicLong CREATED = new java.util.concurrent.atomic.AtomicLong();

    /**
     * The thread this state belongs to: ending a span compares it with the current thread, no lookup needed. A virtual
     * thread's state is handed on when the thread lets it go (null until then taken again).
     */
    Thread thread;
    /** Whether the state is a virtual thread's (and so goes back to FREE_VIRTUAL when the thread is done with it). */
    private final boolean virtual;
    /** Instrumented calls this thread is inside, over all libraries. */
    private int callsOpen;
    private SpanSlot[] free = new SpanSlot[4];
    private int freeCount;
    private int created;

    /** The innermost open span on this thread, or null. */
    SpanSlot currentSpan;
    /** A context attached by a hand-off; the parent of spans started when no local span is open. */
    SpanContext attached;
    /**
     * A client span whose headers an object built further down the same library call puts on the request (the JDK
     * client's internal request, which carries them without a copy of the application's); null outside such a call.
     */
    SpanSlot outgoing;
    private Object[] attachStack = new Object[8];
    private int attachDepth;

    /** Spans made current on this thread so far; each such slot records its number (SpanSlot#beginSequence). */
    long begun;
    /** Where {@link Tracer#startSpanFromRemote} reads received headers into (one per thread: no allocation). */
    final Propagation.Extracted extracted = new Propagation.Extracted();
    private int[] callDepth = new int[InstrumentationScope.count()];
    private long[] begunAtEntry = new long[InstrumentationScope.count()];
    private int[] attachDepthAtEntry = new int[InstrumentationScope.count()];
    /** A span offered to the next instrumented call on this thread that joins it (Tracer#handOff), and its id. */
    SpanSlot handOff;
    long handOffSpanId;
    boolean handOffKept;

    /** Where a client span's traceparent is formatted before its string copies it (made on first use). */
    private byte[] traceparentScratch;

    /** Where this thread's span records go before the ring (made on the first span this thread records). */
    private SpanStage stage;

    /** Spans written since the ring had no stage to give this thread; it asks again every STAGE_RETRY of them. */
    private int spansWithoutStage;
    private static final int STAGE_RETRY = 4096;

    byte[] traceparentScratch() {
        byte[] scratch = traceparentScratch;
        if (scratch == null) {
            scratch = new byte[W3cTraceContext.TRACEPARENT_LENGTH];
            traceparentScratch = scratch;
        }
        return scratch;
    }

    SpanStage stageFor(SpanRing ring) {
        SpanStage mine = stage;
        if (mine == null || !mine.isFor(ring) || mine.isNone() && ++spansWithoutStage % STAGE_RETRY == 0) {
            mine = ring.stageFor(thread);
            stage = mine;
        }
        return mine;
    }

    private ThreadState(Thread thread, boolean virtual) {
        this.thread = thread;
        this.virtual = virtual;
        CREATED.incrementAndGet();
    }

    static ThreadState current() {
        return CURRENT.get();
    }

    private static ThreadState forCurrentThread() {
        Thread thread = Thread.currentThread();
        boolean virtual = isVirtual(thread);
        if (virtual) {
            ThreadState free = FREE_VIRTUAL.poll();
            if (free != null) {
                free.thread = thread;
                return free;
            }
        }
        return new ThreadState(thread, virtual);
    }

    /** States made so far (for tests: a virtual thread per request must not make one per request). */
    static long statesCreated() {
        return CREATED.get();
    }

    private static boolean isVirtual(Thread thread) {
        try {
            return IS_VIRTUAL != null && (boolean) IS_VIRTUAL.invokeExact(thread);
        } catch (Throwable t) {
            return false;
        }
    }

    private static java.lang.invoke.MethodHandle isVirtualHandle() {
        try {
            return java.lang.invoke.MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual",
                java.lang.invoke.MethodType.methodType(boolean.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // JDK 17: no virtual threads
        }
    }

    /**
     * A virtual thread whose outermost instrumented call and attachments have all ended, with no span open, lets go
     * of its state for the next virtual thread. Its stage stays with the thread (the ring frees it once the thread has
     * ended): a stage has one writer at a time, and this thread may record again, into a state of its own.
     */
    private void releaseIfDone() {
        if (virtual && callsOpen == 0 && attachDepth == 0 && currentSpan == null && attached == null
            && handOff == null && outgoing == null) {
            CURRENT.remove();
            thread = null;
            stage = null;
            FREE_VIRTUAL.offer(this);
        }
    }

    // Slots in free[freeCount..] are stale entries, not free slots: acquire leaves them in place and release stores a
    // slot only when a different one sits there, because on G1 every stored reference costs a write barrier (with a
    // fence when it crosses heap regions) and LIFO use puts each slot back exactly where it came from.
    SpanSlot acquire() {
        if (freeCount > 0) {
            return free[--freeCount];
        }
        created++;
        return new SpanSlot(this);
    }

    void release(SpanSlot slot) {
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        if (free[freeCount] != slot) {
            free[freeCount] = slot;
        }
        freeCount++;
    }

    /** Slots this thread has ever created: the deepest nesting it has used. */
    int slotsCreated() {
        return created;
    }

    /** Tracing is suppressed here: an ignored request is being served, and no span of its own is open. */
    boolean isSuppressed() {
        return attached == SpanContext.SUPPRESSED && currentSpan == null;
    }

    void attach(SpanContext context) {
        if (attachDepth + 2 > attachStack.length) {
            attachStack = Arrays.copyOf(attachStack, attachStack.length * 2);
        }
        attachStack[attachDepth++] = attached;
        attachStack[attachDepth++] = currentSpan;
        attached = context;
        currentSpan = null;
    }

    /** Enters an instrumented call of a library; returns how deep the thread already was in that library's calls. */
    int enterCall(int scopeId) {
        if (scopeId >= callDepth.length) {
            int size = Math.max(scopeId + 1, callDepth.length * 2);
            callDepth = Arrays.copyOf(callDepth, size);
            begunAtEntry = Arrays.copyOf(begunAtEntry, size);
            attachDepthAtEntry = Arrays.copyOf(attachDepthAtEntry, size);
        }
        int depth = callDepth[scopeId]++;
        callsOpen++;
        if (depth == 0) {
            begunAtEntry[scopeId] = begun;
            attachDepthAtEntry[scopeId] = attachDepth;
        }
        return depth;
    }

    /** Leaves the call entered by {@link #enterCall}; leaving the outermost one restores what it found. */
    void exitCall(int scopeId) {
        if (scopeId < 0 || scopeId >= callDepth.length || callDepth[scopeId] == 0) {
            return;
        }
        callsOpen--;
        if (--callDepth[scopeId] > 0) {
            return;
        }
        if (outgoing != null) {
            outgoing = null; // handed off and never taken: the call failed before it built its request
        }
        while (attachDepth > attachDepthAtEntry[scopeId]) {
            popAttachment(); // attached inside and never detached
        }
        SpanSlot current = currentSpan;
        long entry = begunAtEntry[scopeId];
        while (current != null && current.beginSequence > entry) {
            current = current.previous; // begun inside and still current: never ended here
        }
        while (current != null && !current.active) {
            current = current.previous;
        }
        if (current != currentSpan) {
            currentSpan = current;
        }
        if (virtual) {
            releaseIfDone();
        }
    }

    void detach() {
        if (popAttachment() && virtual) {
            releaseIfDone();
        }
    }

    private boolean popAttachment() {
        if (attachDepth == 0) {
            return false;
        }
        currentSpan = (SpanSlot) attachStack[--attachDepth];
        attached = (SpanContext) attachStack[--attachDepth];
        attachStack[attachDepth] = null;
        attachStack[attachDepth + 1] = null;
        return true;
    }
}
