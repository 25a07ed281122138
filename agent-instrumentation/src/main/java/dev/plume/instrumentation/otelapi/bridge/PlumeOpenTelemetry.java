package dev.plume.instrumentation.otelapi.bridge;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.propagation.ContextPropagators;

/**
 * What {@code GlobalOpenTelemetry.get()} returns under Plume: tracers whose spans are Plume's (each tracer's name and
 * version is its spans' instrumentation scope), and Plume's propagators. Metrics and logs stay the API's no-ops.
 */
public final class PlumeOpenTelemetry implements OpenTelemetry {
    private static final PlumeOpenTelemetry INSTANCE = new PlumeOpenTelemetry();

    private final ContextPropagators propagators = ContextPropagators.create(new PlumePropagator());
    private final TracerProvider tracerProvider = new PlumeTracerProvider();

    private PlumeOpenTelemetry() {
    }

    /** Called reflectively by the agent. */
    public static Object instance() {
        return INSTANCE;
    }

    @Override
    public TracerProvider getTracerProvider() {
        return tracerProvider;
    }

    @Override
    public ContextPropagators getPropagators() {
        return propagators;
    }

    @Override
    public String toString() {
        return "PlumeOpenTelemetry{propagators=" + propagators.getTextMapPropagator() + "}";
    }
}
