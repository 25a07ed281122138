package dev.plume.instrumentation.logback;

import dev.plume.bootstrap.logs.LogContext;
import net.bytebuddy.asm.Advice;

/** Inlined at the end of {@code LoggingEvent}'s constructor: the event remembers the context it was logged in. */
public final class LogbackEventMadeAdvice {
    private LogbackEventMadeAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This Object event) {
        LogContext.capture(event);
    }
}
