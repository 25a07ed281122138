package dev.plume.instrumentation.warmup;

import dev.plume.bootstrap.context.TaskContexts;
import net.bytebuddy.asm.Advice;

/** Advice shaped like the real ones (enter returns state, exit takes it, both call the runtime), for the warm-up. */
public final class WarmUpAdvice {
    private WarmUpAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static boolean enter(@Advice.This Object self) {
        return TaskContexts.enter(self);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter boolean attached) {
        TaskContexts.exit(attached);
    }
}
