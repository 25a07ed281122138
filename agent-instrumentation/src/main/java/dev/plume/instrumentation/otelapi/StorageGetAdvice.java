package dev.plume.instrumentation.otelapi;

import dev.plume.bootstrap.api.ApiBridge;
import io.opentelemetry.context.ContextStorage;
import net.bytebuddy.asm.Advice;

/** Inlined into {@code ContextStorage.get()}: the storage behind {@code Context.current()} is Plume's. */
public final class StorageGetAdvice {
    private StorageGetAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.Return(readOnly = false) ContextStorage result) {
        result = (ContextStorage) ApiBridge.contextStorage(result, ContextStorage.class);
    }
}
