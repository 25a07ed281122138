package dev.plume.instrumentation.otelapi;

import dev.plume.bootstrap.api.ApiBridge;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import net.bytebuddy.asm.Advice;

/** Inlined into {@code GlobalOpenTelemetry.get()}: the global instance is Plume's. */
public final class GlobalGetAdvice {
    private GlobalGetAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.Return(readOnly = false) OpenTelemetry result) {
        result = (OpenTelemetry) ApiBridge.openTelemetry(result, GlobalOpenTelemetry.class);
    }
}
