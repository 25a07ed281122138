package dev.plume.instrumentation.otelapi.bridge;

import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.Scope;

/**
 * The API's context storage, backed by Plume's: what the application makes current ({@code makeCurrent()}) is
 * attached to Plume's context, so Plume's spans opened inside become its children and its log lines carry its ids; and
 * {@code Context.current()} answers what Plume has current, so {@code Span.current()} is the span Plume's
 * instrumentation opened (a server span, a {@code @WithSpan} method's), or the application's own, on every thread a
 * hand-off carries it to. The API's other context keys are kept on the thread that made them current; hand-offs carry
 * the span and baggage.
 */
public final class PlumeContextStorage implements ContextStorage {
    private static final PlumeContextStorage INSTANCE = new PlumeContextStorage();

    /** The contexts the application made current on a thread, innermost first. */
    private final ThreadLocal<Attached> attached = new ThreadLocal<>();
    /** Per thread, the last context built from Plume's state, kept while that state lasts. */
    private final ThreadLocal<Built> built = new ThreadLocal<>();

    private PlumeContextStorage() {
    }

    /** Called reflectively by the agent. */
    public static Object instance() {
        return INSTANCE;
    }

    private static final class Attached {
        final Context context;
        final dev.plume.bootstrap.trace.SpanContext plume;
        final Attached previous;

        Attached(Context context, dev.plume.bootstrap.trace.SpanContext plume, Attached previous) {
            this.context = context;
            this.plume = plume;
            this.previous = previous;
        }
    }

    private static final class Built {
        Object source;
        long spanId;
        Attached base;
        Context context;
    }

    @Override
    public Scope attach(Context toAttach) {
        if (toAttach == null) {
            return Scope.noop();
        }
        Attached top = attached.get();
        if (top != null && top.context == toAttach && Tracer.isAttached(top.plume)) {
            return Scope.noop(); // already current, as the API's own storage answers
        }
        dev.plume.bootstrap.trace.SpanContext plume = Bridge.toPlume(toAttach);
        Tracer.attach(plume);
        Attached entry = new Attached(toAttach, plume, top);
        attached.set(entry);
        return new AttachedScope(entry);
    }

    private final class AttachedScope implements Scope {
        private final Attached entry;
        private boolean closed;

        AttachedScope(Attached entry) {
            this.entry = entry;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            Attached top = attached.get();
            if (top != entry) {
                // closed out of order, or on another thread: the API's storage ignores it too (and logs at debug)
                return;
            }
            if (Tracer.attachedContext() == entry.plume) {
                Tracer.detach(); // else Plume already unwound it (the instrumented call it was made in returned)
            }
            if (entry.previous == null) {
                attached.remove();
            } else {
                attached.set(entry.previous);
            }
        }
    }

    @Override
    public Context current() {
        Attached top = attached.get();
        SpanSlot slot = Tracer.currentSpan();
        dev.plume.bootstrap.trace.SpanContext plume = slot == null ? Tracer.attachedContext() : null;
        if (top != null && slot == null && plume == top.plume) {
            return top.context; // what the application made current, and nothing opened since
        }
        if (slot == null && (plume == null || plume == dev.plume.bootstrap.trace.SpanContext.SUPPRESSED)) {
            return top != null ? top.context : null;
        }
        Built last = built.get();
        if (last == null) {
            last = new Built();
            built.set(last);
        }
        Object source = slot != null ? slot : plume;
        long spanId = slot != null ? slot.spanId() : plume.spanId();
        if (last.context != null && last.source == source && last.spanId == spanId && last.base == top) {
            return last.context;
        }
        Context base = top != null ? top.context : Context.root();
        Context context = base;
        String baggage;
        if (slot != null) {
            context = context.with(PlumeSpan.viewOf(slot));
            baggage = slot.baggage();
        } else {
            Object apiSpan = plume.apiSpan();
            if (apiSpan instanceof Span span) {
                context = context.with(span);
            } else if (plume.spanId() != 0) {
                context = context.with(Span.wrap(Bridge.apiContext(plume.traceIdHigh(), plume.traceIdLow(),
                    plume.spanId(), plume.traceFlags(), plume.traceState(), plume.isRemote())));
            }
            baggage = plume.baggage();
        }
        if (baggage != null && !baggage.equals(Bridge.baggageHeader(Baggage.fromContextOrNull(base)))) {
            Baggage decoded = Bridge.baggage(baggage);
            if (decoded != null) {
                context = context.with(decoded);
            }
        }
        last.source = source;
        last.spanId = spanId;
        last.base = top;
        last.context = context;
        return context;
    }
}
