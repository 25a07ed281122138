package dev.plume.instrumentation.executors;

import dev.plume.bootstrap.context.TaskContexts;
import net.bytebuddy.asm.Advice;

import java.util.concurrent.Executor;

/**
 * Inlined at the end of the constructor of {@code CompletableFuture}'s stages that depend on other futures
 * ({@code UniCompletion}, which {@code BiCompletion} extends): a stage made with an executor runs there as a task, once
 * its sources complete, in the context of the thread that made it; one made without runs where its sources complete.
 */
public final class StageCaptureAdvice {
    private StageCaptureAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This Object stage, @Advice.Argument(0) Executor executor) {
        TaskContexts.captureStage(stage, executor);
    }
}
