package dev.plume.instrumentation.otelapi.bridge;

import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.StatusCode;
import dev.plume.bootstrap.trace.Tracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;

import java.util.concurrent.TimeUnit;

/**
 * A Plume span seen through the OpenTelemetry API. Two kinds: a span the application started ({@link #started}), which
 * owns a detached slot and may be changed and ended from any thread (calls are serialised on the object; after
 * {@code end} they do nothing, as the API says, since the slot is by then another span's), and a view of a span Plume's
 * own instrumentation opened ({@link #viewOf}), which the application may annotate ({@code Span.current()
 * .setAttribute(...)}) from the thread it is open on, while it is open, but not end: the instrumentation ends it.
 *
 * <p>What it costs: this object (ids copied from the slot, so {@link #getSpanContext} stays right after the slot is
 * reused), plus on first use the API's {@code SpanContext} (two hex strings) and Plume's context for making it current.
 */
public final class PlumeSpan implements Span {
    private final SpanSlot slot;
    private final boolean owned;
    final long traceIdHigh;
    final long traceIdLow;
    final long spanId;
    final int traceFlags;
    final String traceState;
    final String baggage;
    private final boolean recording;
    private boolean ended;
    private SpanContext apiContext;
    private dev.plume.bootstrap.trace.SpanContext plumeContext;

    private PlumeSpan(SpanSlot slot, boolean owned) {
        this.slot = slot;
        this.owned = owned;
        this.traceIdHigh = slot.traceIdHigh();
        this.traceIdLow = slot.traceIdLow();
        this.spanId = slot.spanId();
        this.traceFlags = slot.traceFlags();
        this.traceState = slot.traceState();
        this.baggage = slot.baggage();
        this.recording = slot.isRecording();
    }

    /** A span the application started: it owns the detached slot. */
    static PlumeSpan started(SpanSlot slot) {
        return new PlumeSpan(slot, true);
    }

    /** A span Plume's instrumentation opened on this thread. */
    static PlumeSpan viewOf(SpanSlot slot) {
        return new PlumeSpan(slot, false);
    }

    /** Whether this is the view of that slot while it still records the same span. */
    boolean isViewOf(SpanSlot other) {
        return !owned && slot == other && other.spanId() == spanId;
    }

    /** The slot, when it may be changed from here now (else null): the caller holds this object's monitor. */
    private SpanSlot writable() {
        if (ended || !recording) {
            return null;
        }
        if (owned) {
            return slot;
        }
        return slot.spanId() == spanId && Tracer.isOpenHere(slot) ? slot : null;
    }

    /** Plume's context for this span, for making it current or parenting a child (with the baggage given). */
    synchronized dev.plume.bootstrap.trace.SpanContext plumeContext(String withBaggage) {
        dev.plume.bootstrap.trace.SpanContext context = plumeContext;
        if (context != null && java.util.Objects.equals(context.baggage(), withBaggage)) {
            return context;
        }
        context = new dev.plume.bootstrap.trace.SpanContext(traceIdHigh, traceIdLow, spanId, traceFlags, traceState,
            false, withBaggage, this);
        if (java.util.Objects.equals(withBaggage, baggage)) {
            plumeContext = context;
        }
        return context;
    }

    @Override
    public Span setAttribute(String key, String value) {
        synchronized (this) {
            SpanSlot target = writable();
            if (target != null && key != null && value != null) {
                target.setAttribute(key, value);
            }
        }
        return this;
    }

    @Override
    public Span setAttribute(String key, long value) {
        synchronized (this) {
            SpanSlot target = writable();
            if (target != null && key != null) {
                target.setAttribute(key, value);
            }
        }
        return this;
    }

    @Override
    public Span setAttribute(String key, double value) {
        synchronized (this) {
            SpanSlot target = writable();
            if (target != null && key != null) {
                target.setAttribute(key, value);
            }
        }
        return this;
    }

    @Override
    public Span setAttribute(String key, boolean value) {
        synchronized (this) {
            SpanSlot target = writable();
            if (target != null && key != null) {
                target.setAttribute(key, value);
            }
        }
        return this;
    }

    @Override
    public <T> Span setAttribute(AttributeKey<T> key, T value) {
        synchronized (this) {
            SpanSlot target = writable();
            if (target != null) {
                Bridge.setAttribute(target, Bridge.SPAN, key, value);
            }
        }
        return this;
    }

    @Override
    public Span addEvent(String name, Attributes attributes) {
        return addEvent(name, attributes, dev.plume.bootstrap.trace.EpochClock.nowEpochNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public Span addEvent(String name, Attributes attributes, long timestamp, TimeUnit unit) {
        synchronized (this) {
            SpanSlot target = writable();
            if (target != null && name != null && unit != null && target.addEvent(name, unit.toNanos(timestamp))) {
                Bridge.setAttributes(target, Bridge.EVENT, attributes);
            }
        }
        return this;
    }

    @Override
    public Span setStatus(io.opentelemetry.api.trace.StatusCode code, String description) {
        synchronized (this) {
            SpanSlot target = writable();
            if (target != null && code != null) {
                int plume = switch (code) {
                    case OK -> StatusCode.OK;
                    case ERROR -> StatusCode.ERROR;
                    default -> StatusCode.UNSET;
                };
                target.setStatus(plume, description);
            }
        }
        return this;
    }

    @Override
    public Span recordException(Throwable exception, Attributes additional) {
        synchronized (this) {
            SpanSlot target = writable();
            if (target != null && exception != null) {
                int before = target.eventCount();
                target.recordException(exception);
                if (target.eventCount() > before) {
                    Bridge.setAttributes(target, Bridge.EVENT, additional);
                }
            }
        }
        return this;
    }

    @Override
    public Span updateName(String name) {
        synchronized (this) {
            SpanSlot target = writable();
            if (target != null && name != null) {
                target.setName(name, null);
            }
        }
        return this;
    }

    /** Since API 1.37 ({@code Span#addLink(SpanContext, Attributes)}); on older APIs an ordinary method. */
    public Span addLink(SpanContext linked, Attributes attributes) {
        synchronized (this) {
            SpanSlot target = writable();
            if (target != null) {
                Bridge.addLink(target, linked, attributes);
            }
        }
        return this;
    }

    /** Since API 1.37. */
    public Span addLink(SpanContext linked) {
        return addLink(linked, Attributes.empty());
    }

    @Override
    public void end() {
        end(dev.plume.bootstrap.trace.EpochClock.nowEpochNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void end(long timestamp, TimeUnit unit) {
        if (!owned) {
            return; // the instrumentation that opened it ends it
        }
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            slot.end(unit == null ? dev.plume.bootstrap.trace.EpochClock.nowEpochNanos() : unit.toNanos(timestamp));
        }
    }

    @Override
    public SpanContext getSpanContext() {
        SpanContext context = apiContext;
        if (context == null) {
            context = Bridge.apiContext(traceIdHigh, traceIdLow, spanId, traceFlags, traceState, false);
            apiContext = context;
        }
        return context;
    }

    @Override
    public boolean isRecording() {
        if (!recording) {
            return false;
        }
        synchronized (this) {
            return owned ? !ended : slot.spanId() == spanId; // a view: until its slot records another span
        }
    }

    @Override
    public String toString() {
        return "PlumeSpan{traceId=" + getSpanContext().getTraceId() + ", spanId=" + getSpanContext().getSpanId()
            + (owned ? "" : ", instrumentation's") + "}";
    }
}
