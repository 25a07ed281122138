package dev.plume.instrumentation.slf4j;

import dev.plume.bootstrap.logs.LogContext;
import net.bytebuddy.asm.Advice;

/** Inlined into {@code MDC.get(String)}: a trace-id key the MDC has no value for answers the current span's. */
public final class MdcGetAdvice {
    private MdcGetAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.Argument(0) String key, @Advice.Return(readOnly = false) String value) {
        if (value == null) {
            value = LogContext.currentValue(key);
        }
    }
}
