package dev.plume.instrumentation.executors;

import dev.plume.bootstrap.context.TaskContexts;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the end of a task class's constructors ({@code FutureTask}, a virtual thread's task runner; a
 * {@code ForkJoinTask} has {@link ForkJoinTaskCaptureAdvice}): the JDK makes these on the thread that submits the work,
 * so that thread's context is the one to carry.
 */
public final class CaptureAdvice {
    private CaptureAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This Object task) {
        TaskContexts.capture(task);
    }
}
