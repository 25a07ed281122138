package dev.plume.instrumentation.executors;

import dev.plume.bootstrap.context.TaskContexts;
import net.bytebuddy.asm.Advice;

/**
 * Inlined at the end of {@code ForkJoinTask}'s constructor: captures the context of the thread making the task, unless
 * the task is a {@code CompletableFuture} stage, which {@link StageCaptureAdvice} and the stage methods' executor calls
 * capture when it is to run as a task.
 */
public final class ForkJoinTaskCaptureAdvice {
    private ForkJoinTaskCaptureAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This Object task) {
        TaskContexts.captureForkJoinTask(task);
    }
}
