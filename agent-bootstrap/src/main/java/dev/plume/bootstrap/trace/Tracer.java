package dev.plume.bootstrap.trace;

import dev.plume.bootstrap.record.SpanRing;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The recording API that advice calls. Starting a span takes a slot from the thread's pool, gives it ids, a parent
 * (the current context, or a remote parent from a header) and a sampling decision; ending it writes one record into
 * the ring and returns the slot. Nothing here allocates in steady state, blocks, or throws into the application.
 * Until {@link #install} runs, every start returns null and advice does nothing.
 */
public final class Tracer {
    private static volatile SpanRing ring;
    private static volatile HeadSampler sampler = HeadSampler.alwaysOn();
    private static volatile SpanLimits limits = SpanLimits.defaults();
    private static final AttributeKey THREAD_ID = AttributeKey.of("thread.id");
    private static final AttributeKey THREAD_NAME = AttributeKey.of("thread.name");
    /** Whether spans get their starting thread's id and name ({@code otel.javaagent.add-thread-details}). */
    private static volatile boolean threadDetails;
    /** Set by the first span started (a plain field: a late view of it costs a few milliseconds, nothing more). */
    private static boolean anySpanStarted;

    private Tracer() {
    }

    /** Makes the tracer live: spans recorded from now on go to {@code spanRing}. */
    public static void install(SpanRing spanRing, HeadSampler headSampler, SpanLimits spanLimits) {
        sampler = headSampler;
        limits = spanLimits;
        ring = spanRing;
    }

    /** Gives every span started from now on {@code thread.id} and {@code thread.name}, or stops doing so. */
    public static void addThreadDetails(boolean add) {
        threadDetails = add;
    }

    /** Stops recording (spans started afterwards are null); used at shutdown and by tests. */
    public static void uninstall() {
        ring = null;
    }

    /** Whether any span has been started since the agent started (the agent defers work until one has). */
    public static boolean anySpanStarted() {
        return anySpanStarted;
    }

    public static boolean isInstalled() {
        return ring != null;
    }

    public static SpanRing ring() {
        return ring;
    }

    /**
     * Starts a span whose parent is the current context and makes it current.
     *
     * @param name       the span name, or its first part
     * @param nameSuffix appended after a space when not null (so {@code "GET", "/users"} needs no concatenation)
     * @return the span, or null when the tracer is not installed
     */
    public static SpanSlot startSpan(int scopeId, int kind, String name, String nameSuffix) {
        if (ring == null) {
            return null;
        }
        return startCurrent(scopeId, kind, name, nameSuffix, EpochClock.nowEpochNanos());
    }

    /**
     * As {@link #startSpan(int, int, String, String)}, with a start time the caller already has (from
     * {@link EpochClock#nowEpochNanos()}, or the time a library recorded): a clock reading is the largest single cost
     * of a span, so instrumentation that ends one span and starts the next at the same moment can share one.
     */
    public static SpanSlot startSpan(int scopeId, int kind, String name, String nameSuffix, long startEpochNanos) {
        if (ring == null) {
            return null;
        }
        return startCurrent(scopeId, kind, name, nameSuffix, startEpochNanos);
    }

    private static SpanSlot startCurrent(int scopeId, int kind, String name, String nameSuffix, long startEpochNanos) {
        ThreadState state = ThreadState.current();
        if (state.isSuppressed()) {
            return null;
        }
        SpanSlot slot = state.acquire();
        inheritCurrentContext(slot, state);
        return begin(slot, state, scopeId, kind, name, nameSuffix, true, startEpochNanos);
    }

    /**
     * Starts a span whose parent is the remote context in a W3C {@code traceparent} header (typically a SERVER span).
     * A missing or malformed header means the parent is the current context, if any, so a bad header starts a new
     * trace rather than failing the request (a caller that received two {@code traceparent} headers passes null: that
     * is malformed too). {@code tracestate} is inherited only with a valid parent, and only when it is valid
     * ({@link W3cTraceContext#validTracestate}).
     */
    public static SpanSlot startSpanFromRemote(int scopeId, int kind, String name, String nameSuffix,
                                               String traceparent, String tracestate) {
        if (ring == null) {
            return null;
        }
        ThreadState state = ThreadState.current();
        if (state.isSuppressed()) {
            return null;
        }
        Propagation.Extracted extracted = state.extracted;
        extracted.clear();
        Propagation.traceContext(traceparent, tracestate, extracted);
        return startFromExtracted(state, scopeId, kind, name, nameSuffix);
    }

    /**
     * Starts a span whose parent is what the received headers say, read by the configured propagators
     * ({@link Propagation}): {@code headerValues} holds the values of {@link Propagation#names()}, in that order (null
     * where a header is absent; the array itself may be null). With no valid parent the span's parent is the current
     * context, if any; baggage is taken either way.
     */
    public static SpanSlot startSpanFromRemote(int scopeId, int kind, String name, String nameSuffix,
                                               String[] headerValues) {
        if (ring == null) {
            return null;
        }
        ThreadState state = ThreadState.current();
        if (state.isSuppressed()) {
            return null;
        }
        Propagation.extract(headerValues, state.extracted);
        return startFromExtracted(state, scopeId, kind, name, nameSuffix);
    }

    /** Starts a current span under what {@code state.extracted} holds (or the current context), and clears it. */
    private static SpanSlot startFromExtracted(ThreadState state, int scopeId, int kind, String name,
                                               String nameSuffix) {
        SpanSlot slot = state.acquire();
        Propagation.Extracted extracted = state.extracted;
        if (extracted.hasParent) {
            setParent(slot, extracted.traceIdHigh, extracted.traceIdLow, extracted.spanId, extracted.traceFlags,
                extracted.traceState, true);
            slot.baggage = extracted.baggage;
        } else {
            inheritCurrentContext(slot, state);
            if (extracted.baggage != null) {
                slot.baggage = extracted.baggage;
            }
        }
        extracted.clear();
        return begin(slot, state, scopeId, kind, name, nameSuffix, true, EpochClock.nowEpochNanos());
    }

    /**
     * Slots of ended detached spans, for the next detached span of any thread (bounded: past it, a slot is left to
     * the collector). A detached span's holder must not touch it after ending it.
     */
    private static final org.agrona.concurrent.ManyToManyConcurrentArrayQueue<SpanSlot> DETACHED =
        new org.agrona.concurrent.ManyToManyConcurrentArrayQueue<>(1024);

    /**
     * Starts a span that is not made current and may end on another thread (an asynchronous client call). Its slot
     * comes from a pool shared by all threads, and goes back to it when the span ends, on whichever thread.
     */
    public static SpanSlot startDetachedSpan(int scopeId, int kind, String name, String nameSuffix) {
        if (ring == null) {
            return null;
        }
        ThreadState state = ThreadState.current();
        if (state.isSuppressed()) {
            return null;
        }
        SpanSlot slot = DETACHED.poll();
        if (slot == null) {
            slot = new SpanSlot(null);
        } else {
            slot.detachedEnded = 0;
        }
        inheritCurrentContext(slot, state);
        return begin(slot, state, scopeId, kind, name, nameSuffix, false, EpochClock.nowEpochNanos());
    }

    /**
     * Starts a span under an explicit parent rather than the current context: {@code parent} null makes it the root of
     * a new trace (no baggage either). With {@code makeCurrent} the span is this thread's current span, from its pool,
     * and must end here; without, it is detached (as {@link #startDetachedSpan}) and may end on any thread.
     */
    public static SpanSlot startChildSpan(int scopeId, int kind, String name, String nameSuffix, SpanContext parent,
                                          boolean makeCurrent, long startEpochNanos) {
        if (ring == null) {
            return null;
        }
        ThreadState state = ThreadState.current();
        if (state.isSuppressed() || parent == SpanContext.SUPPRESSED) {
            return null;
        }
        SpanSlot slot;
        if (makeCurrent) {
            slot = state.acquire();
        } else {
            slot = DETACHED.poll();
            if (slot == null) {
                slot = new SpanSlot(null);
            } else {
                slot.detachedEnded = 0;
            }
        }
        if (parent != null) {
            setParent(slot, parent.traceIdHigh, parent.traceIdLow, parent.spanId, parent.traceFlags,
                parent.traceState, parent.remote);
            slot.baggage = parent.baggage;
        } else {
            setParent(slot, 0, 0, 0, 0, null, false);
            slot.baggage = null;
        }
        return begin(slot, state, scopeId, kind, name, nameSuffix, makeCurrent, startEpochNanos);
    }

    /** The innermost open span on this thread, or null. */
    public static SpanSlot currentSpan() {
        return ThreadState.current().currentSpan;
    }

    /** The innermost open span of this kind on this thread (the request's SERVER span, say), or null. */
    public static SpanSlot currentSpan(int kind) {
        for (SpanSlot open = ThreadState.current().currentSpan; open != null; open = open.previous) {
            if (open.kind == kind && open.active) {
                return open;
            }
        }
        return null;
    }

    /**
     * What {@link #enclosingSpan} answers a call that takes a {@link #handOff hand-off}: it is part of the span handed
     * off, whose context the request it sends already carries (the offering call put it there). Never started.
     */
    public static final SpanSlot HANDED_OFF = new SpanSlot(null);

    /**
     * The span a call of {@code kind} starting on this thread is part of, or null: {@link #HANDED_OFF} when a span was
     * handed off here and is still open (taken: the offer is cleared either way), else the innermost active span open on this
     * thread, looking through INTERNAL spans (a method span in an interceptor), if it is of {@code kind} and of one of
     * the scopes in {@code scopeMask} (bit {@code 1L << scopeId}). How a library's call finds that it runs inside
     * another library's call of the same kind (an HTTP client under an HTTP client): the enclosing call's span is
     * current only between its library's enterCall and exitCall, so a lost end cannot make it look open later.
     */
    public static SpanSlot enclosingSpan(int kind, long scopeMask) {
        ThreadState state = ThreadState.current();
        SpanSlot offered = state.handOff;
        if (offered != null) {
            state.handOff = null;
            if (offered.active && offered.spanId == state.handOffSpanId && offered.kind == kind) {
                return HANDED_OFF;
            }
        }
        for (SpanSlot open = state.currentSpan; open != null; open = open.previous) {
            if (!open.active) {
                continue;
            }
            if (open.kind != SpanKind.INTERNAL) {
                return open.kind == kind && open.scopeId < 64 && (scopeMask & (1L << open.scopeId)) != 0 ? open : null;
            }
        }
        return null;
    }

    /**
     * Offers {@code span} to the next call on this thread that looks for its {@link #enclosingSpan}, for a call that
     * hands its request to a library below without being open while that library runs (a reactive exchange whose
     * connector sends when subscribed). The offer lasts until {@link #withdrawHandOff} unless {@link #keepHandOff} is
     * called first.
     */
    public static void handOff(SpanSlot span) {
        ThreadState state = ThreadState.current();
        state.handOff = span;
        state.handOffSpanId = span.spanId;
        state.handOffKept = false;
    }

    /** The library below is one that will take the offer: it outlives {@link #withdrawHandOff}. */
    public static void keepHandOff() {
        ThreadState state = ThreadState.current();
        if (state.handOff != null) {
            state.handOffKept = true;
        }
    }

    /** Ends an offer not kept. */
    public static void withdrawHandOff() {
        ThreadState state = ThreadState.current();
        if (state.handOff != null && !state.handOffKept) {
            state.handOff = null;
        }
    }


    /** Captures the current context for another thread, or returns null when there is none. */
    public static SpanContext captureContext() {
        ThreadState state = ThreadState.current();
        SpanSlot current = state.currentSpan;
        if (current != null) {
            return current.context();
        }
        return state.attached;
    }

    /**
     * Suppresses tracing on this thread until the enclosing instrumented call exits (which unwinds it): spans started
     * meanwhile are not started, and hand-offs carry the suppression to other threads.
     */
    public static void suppress() {
        ThreadState.current().attach(SpanContext.SUPPRESSED);
    }

    /** Makes a captured context current on this thread until the matching {@link #detach()}. */
    public static void attach(SpanContext context) {
        ThreadState.current().attach(context);
    }

    /** Whether {@code context} is what this thread has attached, with no span of its own opened since. */
    public static boolean isAttached(SpanContext context) {
        ThreadState state = ThreadState.current();
        return state.attached == context && state.currentSpan == null;
    }

    /** The context attached on this thread by the last {@link #attach} (a hand-off, the application's), or null. */
    public static SpanContext attachedContext() {
        return ThreadState.current().attached;
    }

    /** Whether {@code slot} is open on this thread: current, or below the current span. */
    public static boolean isOpenHere(SpanSlot slot) {
        ThreadState owner = slot == null ? null : slot.ownerHere();
        return owner != null && isBelowCurrent(owner, slot);
    }

    /** Restores what was current before the last {@link #attach}. */
    public static void detach() {
        ThreadState.current().detach();
    }

    private static boolean isBelowCurrent(ThreadState owner, SpanSlot slot) {
        for (SpanSlot open = owner.currentSpan; open != null; open = open.previous) {
            if (open == slot) {
                return true;
            }
        }
        return false;
    }

    private static void inheritCurrentContext(SpanSlot slot, ThreadState state) {
        SpanSlot parent = state.currentSpan;
        SpanContext attached = state.attached;
        if (parent != null) {
            setParent(slot, parent.traceIdHigh, parent.traceIdLow, parent.spanId, parent.traceFlags, parent.traceState,
                false);
            slot.baggage = parent.baggage;
        } else if (attached != null) {
            setParent(slot, attached.traceIdHigh, attached.traceIdLow, attached.spanId, attached.traceFlags,
                attached.traceState, attached.remote);
            slot.baggage = attached.baggage;
        } else {
            setParent(slot, 0, 0, 0, 0, null, false);
            slot.baggage = null;
        }
    }

    private static void setParent(SpanSlot slot, long traceIdHigh, long traceIdLow, long parentSpanId, int traceFlags,
                                  String traceState, boolean remote) {
        slot.traceIdHigh = traceIdHigh;
        slot.traceIdLow = traceIdLow;
        slot.parentSpanId = parentSpanId;
        slot.traceFlags = traceFlags;
        if (slot.traceState != traceState) {
            slot.traceState = traceState;
        }
        slot.parentRemote = remote;
    }

    private static SpanSlot begin(SpanSlot slot, ThreadState state, int scopeId, int kind, String name,
                                  String nameSuffix, boolean makeCurrent, long startEpochNanos) {
        if (!anySpanStarted) {
            anySpanStarted = true;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        boolean hasParent = slot.parentSpanId != 0;
        if (!hasParent) {
            long high;
            long low;
            do {
                high = random.nextLong();
                low = random.nextLong();
            } while ((high | low) == 0);
            slot.traceIdHigh = high;
            slot.traceIdLow = low;
        }
        long spanId;
        do {
            spanId = random.nextLong();
        } while (spanId == 0);
        slot.spanId = spanId;
        boolean parentSampled = (slot.traceFlags & W3cTraceContext.FLAG_SAMPLED) != 0;
        boolean sampled = sampler.shouldSample(hasParent, parentSampled, slot.traceIdLow);
        slot.traceFlags = sampled ? W3cTraceContext.FLAG_SAMPLED : 0;
        slot.recording = sampled;
        // References are stored only when they change: on G1 each stored reference costs a write barrier, and a
        // pooled slot usually records the same kind of span (same limits, same name) as last time.
        SpanLimits spanLimits = limits;
        if (slot.limits != spanLimits) {
            slot.limits = spanLimits;
        }
        if (slot.name != name) {
            slot.name = name;
        }
        if (slot.nameSuffix != nameSuffix) {
            slot.nameSuffix = nameSuffix;
        }
        if (slot.handOffContext != null) {
            slot.handOffContext = null;
        }
        slot.scopeId = scopeId;
        slot.kind = kind;
        slot.active = true;
        slot.startEpochNanos = startEpochNanos;
        if (makeCurrent) {
            slot.previous = state.currentSpan;
            slot.beginSequence = ++state.begun;
            state.currentSpan = slot;
        }
        if (threadDetails && sampled) {
            slot.setAttribute(THREAD_ID, state.thread.getId());
            slot.setAttribute(THREAD_NAME, state.thread.getName());
        }
        return slot;
    }

    /**
     * Enters an instrumented call of library {@code scopeId} on this thread and returns how deep the thread already was
     * in that library's calls: 0 for the outermost call, which is the one that records a span. Every call must be
     * matched by {@link #exitCall} (advice calls it in a {@code finally}), whatever happened in between.
     */
    public static int enterCall(int scopeId) {
        return ThreadState.current().enterCall(scopeId);
    }

    /**
     * Leaves a call entered by {@link #enterCall}. Leaving the outermost one restores the thread's context as it was on
     * entry: a span begun inside that was never ended stops being current here, instead of parenting every later
     * request on a pooled thread.
     */
    public static void exitCall(int scopeId) {
        ThreadState.current().exitCall(scopeId);
    }

    /**
     * Hands {@code span} to code further down the current library call on this thread ({@link #takeOutgoing}), which
     * puts its propagation headers on the request that call builds. Cleared when the outermost call is left.
     */
    public static void handOffOutgoing(SpanSlot span) {
        ThreadState owner = span.ownerHere(); // the span was just started here: its owner is this thread's, no lookup
        (owner != null ? owner : ThreadState.current()).outgoing = span;
    }

    /** The span handed off by {@link #handOffOutgoing} on this thread, once; null when there is none. */
    public static SpanSlot takeOutgoing() {
        ThreadState state = ThreadState.current();
        SpanSlot span = state.outgoing;
        if (span != null) {
            state.outgoing = null;
        }
        return span;
    }

    /** Called once by {@link SpanSlot#end}: unwinds the context, records the span, recycles the slot. */
    static void finish(SpanSlot slot) {
        ThreadState owner = slot.owner;
        boolean onOwnerThread = owner != null && owner.thread == Thread.currentThread();
        boolean wasCurrent = onOwnerThread && owner.currentSpan == slot;
        if (wasCurrent) {
            SpanSlot restored = slot.previous;
            // A span ended out of order stays referenced by the spans opened after it: skip it, never reuse it.
            while (restored != null && !restored.active) {
                restored = restored.previous;
            }
            owner.currentSpan = restored;
        } else if (onOwnerThread && isBelowCurrent(owner, slot)) {
            // The spans above it were never ended: the context they left behind ends with this span. The slot is not
            // reused (they still point at it), which is what the span lost costs.
            SpanSlot restored = slot.previous;
            while (restored != null && !restored.active) {
                restored = restored.previous;
            }
            owner.currentSpan = restored;
        }
        if (slot.recording) {
            SpanRing target = ring;
            if (target != null) {
                // the stage of the thread that ends it: a detached span, or one ended elsewhere, costs one lookup
                ThreadState here = onOwnerThread ? owner : ThreadState.current();
                target.write(slot, here.stageFor(target));
            }
        }
        if (wasCurrent) {
            slot.reset();
            owner.release(slot);
        } else if (owner == null) {
            slot.reset();
            DETACHED.offer(slot);
        }
    }
}
