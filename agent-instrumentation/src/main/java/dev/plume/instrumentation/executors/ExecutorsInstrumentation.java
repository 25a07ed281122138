package dev.plume.instrumentation.executors;

import dev.plume.bootstrap.context.TaskContexts;
import dev.plume.instrumentation.LibraryInstrumentation;
import dev.plume.instrumentation.TypeTarget;
import net.bytebuddy.asm.MemberSubstitution;

import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isDeclaredBy;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Context across threads, for the JDK's executors and whatever is built on them ({@code ExecutorService},
 * {@code ScheduledThreadPoolExecutor}, {@code invokeAll}/{@code invokeAny}, {@code ForkJoinPool},
 * {@code CompletableFuture} async stages, Spring's {@code @Async} and task executors, virtual-thread-per-task
 * executors). Not every {@code Runnable} is instrumented (every lambda is one): the JDK's own task classes get a
 * context field when they load, and capture where they are made; a plain task handed to a {@code ThreadPoolExecutor}
 * is captured by {@code execute} and attached by the worker loop, which calls it through {@link TaskContexts#run}.
 */
public final class ExecutorsInstrumentation implements LibraryInstrumentation {
    @Override
    public String name() {
        return "executors";
    }

    @Override
    public List<TypeTarget> targets() {
        return List.of(
            TypeTarget.named("java.util.concurrent.FutureTask").carriesContext()
                .advice(CaptureAdvice.class, isConstructor())
                .advice(RunAdvice.class, named("run").or(named("runAndReset")).and(takesArguments(0))),
            TypeTarget.named("java.util.concurrent.ForkJoinTask").carriesContext()
                .advice(CaptureAdvice.class, isConstructor())
                .advice(RunAdvice.class, named("doExec").and(takesArguments(0))),
            // run directly (not through doExec) when a CompletableFuture stage runs on a plain Executor
            TypeTarget.named("java.util.concurrent.CompletableFuture$AsyncSupply",
                    "java.util.concurrent.CompletableFuture$AsyncRun", "java.util.concurrent.CompletableFuture$Completion")
                .advice(RunAdvice.class, named("run").and(takesArguments(0))),
            TypeTarget.named("java.util.concurrent.ThreadPerTaskExecutor$TaskRunner").carriesContext()
                .advice(CaptureAdvice.class, isConstructor())
                .advice(RunAdvice.class, named("run").and(takesArguments(0))),
            TypeTarget.named("java.util.concurrent.ThreadPoolExecutor")
                .advice(ExecuteAdvice.class, named("execute").and(takesArguments(1)))
                .visitor(type -> MemberSubstitution.relaxed()
                    .method(named("run").and(takesArguments(0)).and(isDeclaredBy(Runnable.class)))
                    .replaceWith(runInContext())
                    .on(named("runWorker")), RunAdvice.class));
    }

    private static java.lang.reflect.Method runInContext() {
        try {
            return TaskContexts.class.getMethod("run", Runnable.class);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }
}
