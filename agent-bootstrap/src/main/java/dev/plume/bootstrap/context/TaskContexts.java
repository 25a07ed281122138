package dev.plume.bootstrap.context;

import dev.plume.bootstrap.trace.SpanContext;
import dev.plume.bootstrap.trace.Tracer;

import java.util.concurrent.Executor;

/**
 * Context hand-off for tasks: captured where a task is created or submitted, attached around the place it runs,
 * detached in a {@code finally}. A task whose class got the agent's field ({@link ContextCarrier}) carries its context
 * itself, so it dies with the task; any other task (a lambda, a class loaded before the agent) is looked up in a weak
 * identity map, whose entry goes when the task runs, is rejected, or is collected. A task that never runs pins nothing.
 *
 * <p>What a hand-off allocates: the context snapshot (shared by every task captured under the same span), and for a task
 * without the field, one map entry and its weak key.
 */
public final class TaskContexts {
    private static final WeakIdentityMap<SpanContext> WITHOUT_FIELD = new WeakIdentityMap<>();

    private TaskContexts() {
    }

    /**
     * Captures the current context for {@code task}, unless it already carries one (a task captured when it was made
     * keeps that context when it is submitted).
     */
    public static void capture(Object task) {
        if (task == null || !Tracer.isInstalled()) {
            return;
        }
        SpanContext context = Tracer.captureContext();
        if (context == null) {
            return;
        }
        if (task instanceof ContextCarrier) {
            ContextCarrier carrier = (ContextCarrier) task;
            if (carrier.plume$getContext() == null) {
                carrier.plume$setContext(context);
            }
            return;
        }
        WITHOUT_FIELD.putIfAbsent(task, context);
    }

    /**
     * {@link #capture} for a {@code ForkJoinTask} being made, except a {@code CompletableFuture} stage's (a
     * {@code Completion}): most stages run where their source completes, never as a task, and the JDK's own clients
     * make dozens a call (~1 µs of lookups a JDK {@code HttpClient} request). A stage that does run as a task is
     * captured where that is decided: made with its executor ({@link #captureStage}), or handed to one at once
     * ({@link #execute}).
     */
    public static void captureForkJoinTask(Object task) {
        Class<?> completion = Completions.COMPLETION;
        if (completion == null || !completion.isInstance(task)) {
            capture(task);
        }
    }

    /** A {@code CompletableFuture} stage made with an executor: it will run as a task there, in this context. */
    public static void captureStage(Object stage, Executor executor) {
        if (executor != null) {
            capture(stage);
        }
    }

    /**
     * In place of {@code executor.execute(task)} in {@code CompletableFuture}: a stage made on a completed source is
     * handed to its executor at once, by the thread that made it, whose context it takes (unless it has one).
     */
    public static void execute(Executor executor, Runnable task) {
        capture(task);
        executor.execute(task);
    }

    /** {@code CompletableFuture.Completion}, package-private; null where a JDK has no such class (then all capture). */
    private static final class Completions {
        static final Class<?> COMPLETION = find();

        private Completions() {
        }

        private static Class<?> find() {
            try {
                return Class.forName("java.util.concurrent.CompletableFuture$Completion", false, null);
            } catch (ClassNotFoundException | LinkageError e) {
                return null;
            }
        }
    }

    /**
     * Before {@code task} runs on this thread: attaches what was captured for it. Returns whether it attached; pass that
     * to {@link #exit}. A task run where its context is already current (the submitting thread) attaches nothing.
     */
    public static boolean enter(Object task) {
        if (task == null) {
            return false;
        }
        SpanContext context;
        if (task instanceof ContextCarrier) {
            Object carried = ((ContextCarrier) task).plume$getContext();
            context = carried instanceof SpanContext ? (SpanContext) carried : null;
        } else if (WITHOUT_FIELD.isEmpty()) {
            return false;
        } else {
            context = WITHOUT_FIELD.remove(task);
        }
        if (context == null || Tracer.isAttached(context)) {
            return false;
        }
        Tracer.attach(context);
        return true;
    }

    /** After the task ran (or threw): detaches what {@link #enter} attached. */
    public static void exit(boolean attached) {
        if (attached) {
            Tracer.detach();
        }
    }

    /** Runs a task in its captured context: what an instrumented worker loop calls in place of {@code task.run()}. */
    public static void run(Runnable task) {
        boolean attached = enter(task);
        try {
            task.run();
        } finally {
            exit(attached);
        }
    }

    /** The task will never run (it was rejected): forgets what was captured for it. */
    public static void forget(Object task) {
        if (task != null && !(task instanceof ContextCarrier) && !WITHOUT_FIELD.isEmpty()) {
            WITHOUT_FIELD.remove(task);
        }
    }

    /** Tasks waiting in the weak map (for tests). */
    static int pendingWithoutField() {
        return WITHOUT_FIELD.size();
    }
}
