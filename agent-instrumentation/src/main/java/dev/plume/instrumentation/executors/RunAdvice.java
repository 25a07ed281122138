package dev.plume.instrumentation.executors;

import dev.plume.bootstrap.context.TaskContexts;
import net.bytebuddy.asm.Advice;

/** Inlined around the method a task runs in ({@code run}, {@code doExec}): its captured context is current meanwhile. */
public final class RunAdvice {
    private RunAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static boolean enter(@Advice.This Object task) {
        return TaskContexts.enter(task);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter boolean attached) {
        TaskContexts.exit(attached);
    }
}
