package dev.plume.instrumentation.otelapi.bridge;

import dev.plume.bootstrap.trace.EpochClock;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds a span of the application's: collects what the builder is given, then starts a detached Plume span under the
 * parent it names (the current context unless told otherwise) and applies it. Not thread-safe, as the API allows.
 */
final class PlumeSpanBuilder implements SpanBuilder {
    private final int scopeId;
    private final String name;
    private Context parent;
    private boolean noParent;
    private int kind = dev.plume.bootstrap.trace.SpanKind.INTERNAL;
    private long startEpochNanos;
    /** Attribute keys and values in the order set: a key set twice keeps its last value (the slot replaces it). */
    private List<Object> attributes;
    private List<Object> links;

    PlumeSpanBuilder(int scopeId, String name) {
        this.scopeId = scopeId;
        this.name = name == null || name.isBlank() ? "<unspecified span name>" : name;
    }

    @Override
    public SpanBuilder setParent(Context context) {
        if (context != null) {
            parent = context;
            noParent = false;
        }
        return this;
    }

    @Override
    public SpanBuilder setNoParent() {
        noParent = true;
        parent = null;
        return this;
    }

    @Override
    public SpanBuilder addLink(SpanContext spanContext) {
        return addLink(spanContext, Attributes.empty());
    }

    @Override
    public SpanBuilder addLink(SpanContext spanContext, Attributes attributes) {
        if (spanContext != null && spanContext.isValid()) {
            if (links == null) {
                links = new ArrayList<>(4);
            }
            links.add(spanContext);
            links.add(attributes == null ? Attributes.empty() : attributes);
        }
        return this;
    }

    @Override
    public SpanBuilder setAttribute(String key, String value) {
        return put(key, value);
    }

    @Override
    public SpanBuilder setAttribute(String key, long value) {
        return put(key, value);
    }

    @Override
    public SpanBuilder setAttribute(String key, double value) {
        return put(key, value);
    }

    @Override
    public SpanBuilder setAttribute(String key, boolean value) {
        return put(key, value);
    }

    @Override
    public <T> SpanBuilder setAttribute(AttributeKey<T> key, T value) {
        return key == null ? this : put(key, value);
    }

    private SpanBuilder put(Object key, Object value) {
        if (key != null && value != null) {
            if (attributes == null) {
                attributes = new ArrayList<>(8);
            }
            attributes.add(key);
            attributes.add(value);
        }
        return this;
    }

    @Override
    public SpanBuilder setSpanKind(SpanKind spanKind) {
        if (spanKind != null) {
            kind = Bridge.kind(spanKind);
        }
        return this;
    }

    @Override
    public SpanBuilder setStartTimestamp(long startTimestamp, TimeUnit unit) {
        if (unit != null && startTimestamp >= 0) {
            startEpochNanos = unit.toNanos(startTimestamp);
        }
        return this;
    }

    @Override
    public Span startSpan() {
        Context parentContext = noParent ? null : parent != null ? parent : Context.current();
        dev.plume.bootstrap.trace.SpanContext plumeParent = noParent ? null : Bridge.toPlume(parentContext);
        if (plumeParent != null && plumeParent.spanId() == 0 && plumeParent.baggage() == null) {
            plumeParent = null;
        }
        long start = startEpochNanos != 0 ? startEpochNanos : EpochClock.nowEpochNanos();
        // a parent context with baggage but no span (span id 0) starts a new trace that carries the baggage
        SpanSlot slot = Tracer.startChildSpan(scopeId, kind, name, null, plumeParent, false, start);
        if (slot == null) {
            // not recording at all (tracing off, or suppressed here): the parent goes on, as a non-recording span
            Span parentSpan = parentContext == null ? null : Span.fromContextOrNull(parentContext);
            return parentSpan != null ? Span.wrap(parentSpan.getSpanContext()) : Span.getInvalid();
        }
        if (slot.isRecording()) {
            if (attributes != null) {
                for (int i = 0; i < attributes.size(); i += 2) {
                    Bridge.setAttributeOf(slot, Bridge.SPAN, attributes.get(i), attributes.get(i + 1));
                }
            }
            if (links != null) {
                for (int i = 0; i < links.size(); i += 2) {
                    Bridge.addLink(slot, (SpanContext) links.get(i), (Attributes) links.get(i + 1));
                }
            }
        }
        return PlumeSpan.started(slot);
    }
}
