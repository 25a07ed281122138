package dev.plume.instrumentation.executors;

import dev.plume.bootstrap.context.TaskContexts;
import dev.plume.instrumentation.LibraryInstrumentation;
import dev.plume.instrumentation.MethodSelector;
import dev.plume.instrumentation.TypeTarget;

import java.util.List;


/**
 * Context across threads, for the JDK's executors and whatever is built on them ({@code ExecutorService},
 * {@code ScheduledThreadPoolExecutor}, {@code invokeAll}/{@code invokeAny}, {@code ForkJoinPool},
 * {@code CompletableFuture} async stages, Spring's {@code @Async} and task executors, virtual-thread-per-task
 * executors). Not every {@code Runnable} is instrumented (every lambda is one): the JDK's own task classes get a
 * context field when they load, and capture where they are made; a plain task handed to a {@code ThreadPoolExecutor}
 * is captured by {@code execute} and attached by the worker loop, which calls it through {@link TaskContexts#run}.
 * A {@code CompletableFuture} stage ({@code Completion}, a {@code ForkJoinTask}) is captured only when it is to run as
 * a task: most run where their source completes, and capturing each one cost ~1 µs of lookups per JDK
 * {@code HttpClient} request, which makes dozens.
 */
public final class ExecutorsInstrumentation implements LibraryInstrumentation {
    @Override
    public String name() {
        return "executors";
    }

    @Override
    public List<TypeTarget> targets() {
        MethodSelector run = MethodSelector.named("run").parameters(0);
        return List.of(
            TypeTarget.named("java.util.concurrent.FutureTask").carriesContext()
                .advice(CaptureAdvice.class, MethodSelector.constructors())
                .advice(RunAdvice.class, run.or(MethodSelector.named("runAndReset").parameters(0))),
            TypeTarget.named("java.util.concurrent.ForkJoinTask").carriesContext()
                .advice(ForkJoinTaskCaptureAdvice.class, MethodSelector.constructors())
                .advice(RunAdvice.class, MethodSelector.named("doExec").parameters(0)),
            // a CompletableFuture stage is captured only where it is to run as a task: made with its executor, or
            // handed to one at once (made on a completed source)
            TypeTarget.named("java.util.concurrent.CompletableFuture$UniCompletion")
                .advice(StageCaptureAdvice.class, MethodSelector.constructors()),
            TypeTarget.named("java.util.concurrent.CompletableFuture")
                .replaceCallsEverywhere("java.util.concurrent.Executor", "execute", 1,
                    taskContexts("execute", java.util.concurrent.Executor.class, Runnable.class)),
            // run directly (not through doExec) when a CompletableFuture stage runs on a plain Executor
            TypeTarget.named("java.util.concurrent.CompletableFuture$AsyncSupply",
                    "java.util.concurrent.CompletableFuture$AsyncRun", "java.util.concurrent.CompletableFuture$Completion")
                .advice(RunAdvice.class, run),
            TypeTarget.named("java.util.concurrent.ThreadPerTaskExecutor$TaskRunner").carriesContext()
                .advice(CaptureAdvice.class, MethodSelector.constructors())
                .advice(RunAdvice.class, run),
            TypeTarget.named("java.util.concurrent.ThreadPoolExecutor")
                .advice(ExecuteAdvice.class, MethodSelector.named("execute").parameters(1))
                .replaceCalls("runWorker", "java.lang.Runnable", "run", taskContexts("run", Runnable.class)));
    }

    private static java.lang.reflect.Method taskContexts(String name, Class<?>... parameters) {
        try {
            return TaskContexts.class.getMethod(name, parameters);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }
}
