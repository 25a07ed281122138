package dev.plume.instrumentation.slf4j;

import dev.plume.bootstrap.logs.LogContext;
import net.bytebuddy.asm.Advice;

import java.util.Map;

/** Inlined into {@code MDC.getCopyOfContextMap()}: the copy also holds the current span's ids. */
public final class MdcCopyAdvice {
    private MdcCopyAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.Return(readOnly = false) Map<String, String> copy) {
        copy = LogContext.withCurrentIds(copy);
    }
}
