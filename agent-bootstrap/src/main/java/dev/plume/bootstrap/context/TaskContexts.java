package dev.plume.bootstrap.context;

import dev.plume.bootstrap.trace.SpanContext;
import dev.plume.bootstrap.trace.Tracer;


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
