package dev.plume.instrumentation.executors;

import dev.plume.bootstrap.context.TaskContexts;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into {@code ThreadPoolExecutor#execute}: a plain task (a lambda, any {@code Runnable}) is captured here, in
 * the submitting thread's context; a task the pool rejects forgets it at once.
 */
public final class ExecuteAdvice {
    private ExecuteAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.Argument(0) Runnable task) {
        TaskContexts.capture(task);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Argument(0) Runnable task, @Advice.Thrown Throwable rejected) {
        if (rejected != null) {
            TaskContexts.forget(task);
        }
    }
}
