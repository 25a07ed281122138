package dev.plume.instrumentation.logback;

import dev.plume.bootstrap.logs.LogContext;
import net.bytebuddy.asm.Advice;

import java.util.Map;

/** Inlined into {@code LoggingEvent#getMDCPropertyMap()}: the map also holds the remembered context's ids. */
public final class LogbackMdcAdvice {
    private LogbackMdcAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This Object event,
                            @Advice.Return(readOnly = false) Map<String, String> mdc) {
        mdc = LogContext.withTraceIds(event, mdc);
    }
}
