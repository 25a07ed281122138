package dev.plume.instrumentation.otelapi;

import dev.plume.instrumentation.LibraryInstrumentation;
import dev.plume.instrumentation.MethodSelector;
import dev.plume.instrumentation.TypeTarget;

import java.util.List;

/**
 * The application's OpenTelemetry API (1.0 and later) backed by Plume: {@code GlobalOpenTelemetry.get()} (and
 * {@code getOrNoop()}, where the API has it) answers Plume's {@code OpenTelemetry}, and {@code ContextStorage.get()}
 * Plume's context storage, so spans the application builds are Plume spans in the same traces and
 * {@code Span.current()} sees Plume's. The bridge's classes ({@code bridge}) implement the API, so they are defined
 * beside it, in a loader of their own whose parent is the API's ({@link BridgeFactory}); nothing of the API is loaded
 * where the application does not use it. An {@code OpenTelemetrySdk} the application builds and uses itself is left
 * alone.
 */
public final class OpenTelemetryApiInstrumentation implements LibraryInstrumentation {
    @Override
    public String name() {
        return "opentelemetry-api";
    }

    @Override
    public List<TypeTarget> targets() {
        return List.of(
            TypeTarget.named("io.opentelemetry.api.GlobalOpenTelemetry")
                .advice(GlobalGetAdvice.class, MethodSelector.named("get").parameters(0)
                    .or(MethodSelector.named("getOrNoop").parameters(0))),
            TypeTarget.named("io.opentelemetry.context.ContextStorage")
                .advice(StorageGetAdvice.class, MethodSelector.named("get").parameters(0)));
    }
}
