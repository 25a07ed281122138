package dev.plume.bootstrap.trace;

import java.util.Arrays;

/**
 * A thread's tracing state: its pool of span slots (grown to the deepest nesting the thread has used, no further),
 * the span currently open on it, and the contexts attached to it by hand-offs from other threads.
 */
final class ThreadState {
    private static final ThreadLocal<ThreadState> CURRENT = ThreadLocal.withInitial(ThreadState::new);

    /** The thread this state belongs to: ending a span compares it with the current thread, no lookup needed. */
    final Thread thread = Thread.currentThread();
    private SpanSlot[] free = new SpanSlot[4];
    private int freeCount;
    private int created;

    /** The innermost open span on this thread, or null. */
    SpanSlot currentSpan;
    /** A context attached by a hand-off; the parent of spans started when no local span is open. */
    SpanContext attached;
    private Object[] attachStack = new Object[8];
    private int attachDepth;

    static ThreadState current() {
        return CURRENT.get();
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

    void attach(SpanContext context) {
        if (attachDepth + 2 > attachStack.length) {
            attachStack = Arrays.copyOf(attachStack, attachStack.length * 2);
        }
        attachStack[attachDepth++] = attached;
        attachStack[attachDepth++] = currentSpan;
        attached = context;
        currentSpan = null;
    }

    void detach() {
        if (attachDepth == 0) {
            return;
        }
        currentSpan = (SpanSlot) attachStack[--attachDepth];
        attached = (SpanContext) attachStack[--attachDepth];
        attachStack[attachDepth] = null;
        attachStack[attachDepth + 1] = null;
    }
}
