package dev.plume.instrumentation.otelapi.bridge;

import dev.plume.bootstrap.trace.InstrumentationScope;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;

import java.util.concurrent.ConcurrentHashMap;

/** Tracers by name and version, each recording under its own instrumentation scope (registered once). */
final class PlumeTracerProvider implements TracerProvider {
    private final ConcurrentHashMap<String, Tracer> tracers = new ConcurrentHashMap<>();

    @Override
    public Tracer get(String instrumentationName) {
        return get(instrumentationName, null);
    }

    @Override
    public Tracer get(String instrumentationName, String instrumentationVersion) {
        String name = instrumentationName == null ? "" : instrumentationName;
        String key = instrumentationVersion == null ? name : name + '\n' + instrumentationVersion;
        Tracer tracer = tracers.get(key);
        if (tracer == null) {
            tracer = tracers.computeIfAbsent(key,
                k -> new PlumeTracer(InstrumentationScope.register(name, instrumentationVersion)));
        }
        return tracer;
    }

    private static final class PlumeTracer implements Tracer {
        private final int scopeId;

        PlumeTracer(int scopeId) {
            this.scopeId = scopeId;
        }

        @Override
        public SpanBuilder spanBuilder(String spanName) {
            return new PlumeSpanBuilder(scopeId, spanName);
        }
    }
}
