package dev.plume.instrumentation.otelapi.bridge;

import dev.plume.bootstrap.trace.Propagation;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * The propagators configured for Plume ({@code otel.propagators}) as the API's text-map propagator, so headers the
 * application injects or extracts itself are the ones Plume's instrumentation sends and reads.
 */
final class PlumePropagator implements TextMapPropagator {
    @Override
    public Collection<String> fields() {
        List<String> fields = Arrays.asList(Propagation.names());
        return java.util.Collections.unmodifiableList(fields);
    }

    @Override
    public <C> void inject(Context context, C carrier, TextMapSetter<C> setter) {
        if (context == null || setter == null) {
            return;
        }
        dev.plume.bootstrap.trace.SpanContext plume = Bridge.toPlume(context);
        if (plume == null || plume == Bridge.ROOT) {
            return;
        }
        for (int i = 0, count = Propagation.outgoingCount(); i < count; i++) {
            String value = Propagation.outgoingValue(i, plume);
            if (value != null) {
                setter.set(carrier, Propagation.outgoingName(i), value);
            }
        }
    }

    @Override
    public <C> Context extract(Context context, C carrier, TextMapGetter<C> getter) {
        Context into = context != null ? context : Context.root();
        if (getter == null) {
            return into;
        }
        String[] names = Propagation.names();
        String[] values = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            values[i] = getter.get(carrier, names[i]);
        }
        dev.plume.bootstrap.trace.SpanContext remote = Propagation.extractContext(values);
        if (remote == null) {
            return into;
        }
        if (remote.spanId() != 0) {
            into = into.with(Span.wrap(Bridge.apiContext(remote.traceIdHigh(), remote.traceIdLow(), remote.spanId(),
                remote.traceFlags(), remote.traceState(), true)));
        }
        Baggage baggage = Bridge.baggage(remote.baggage());
        return baggage != null ? into.with(baggage) : into;
    }

    @Override
    public String toString() {
        return "PlumePropagator" + Arrays.toString(Propagation.names());
    }
}
