package dev.plume.bootstrap.methods;

import dev.plume.bootstrap.trace.AttributeKey;
import dev.plume.bootstrap.trace.EpochClock;
import dev.plume.bootstrap.trace.SpanContext;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.StatusCode;
import dev.plume.bootstrap.trace.Tracer;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/**
 * A span per call of a chosen method ({@code @WithSpan}, {@code otel.instrumentation.methods.include}): what each
 * woven method's span is (name, kind, scope, whether it joins the caller's trace, its {@code code.namespace} and
 * {@code code.function}, which arguments become attributes),
 * registered when the method is woven, and the start and end its advice calls with the method's index here.
 *
 * <p>The registry only grows (one entry per woven method). Entries are immutable and published through a volatile
 * array, so the advice reads them without a lock.
 */
public final class MethodSpans {
    /** One woven method's span. */
    private static final class Entry {
        final int scopeId;
        final String name;
        final int kind;
        final boolean inheritContext;
        /** {@code code.namespace}: the class's binary name; {@code code.function}: the method's name. */
        final String codeNamespace;
        final String codeFunction;
        /** Per parameter, the attribute it sets, or null; null when no parameter sets one. */
        final String[] attributeNames;
        final byte[] attributeTypes;

        Entry(int scopeId, String name, int kind, boolean inheritContext, String codeNamespace, String codeFunction,
              String[] attributeNames, byte[] attributeTypes) {
            this.scopeId = scopeId;
            this.name = name;
            this.kind = kind;
            this.inheritContext = inheritContext;
            this.codeNamespace = codeNamespace;
            this.codeFunction = codeFunction;
            this.attributeNames = attributeNames;
            this.attributeTypes = attributeTypes;
        }
    }

    /** The source code attributes the OpenTelemetry agent puts on these spans. */
    private static final AttributeKey CODE_NAMESPACE = AttributeKey.of("code.namespace");
    private static final AttributeKey CODE_FUNCTION = AttributeKey.of("code.function");
    private static final Object LOCK = new Object();
    private static volatile Entry[] entries = new Entry[16];
    private static int count;

    private MethodSpans() {
    }

    /**
     * Registers a woven method's span and returns its index, the constant its advice passes back.
     *
     * @param codeNamespace the binary name of the class declaring the method ({@code code.namespace})
     * @param codeFunction  the method's name ({@code code.function})
     * @param attributeNames per parameter, the attribute name it sets or null (the array may be null: none)
     * @param attributeTypes per parameter, an {@link ArgumentAttribute} code
     */
    public static int register(int scopeId, String name, int kind, boolean inheritContext, String codeNamespace,
                               String codeFunction, String[] attributeNames, byte[] attributeTypes) {
        Entry entry = new Entry(scopeId, name, kind, inheritContext, codeNamespace, codeFunction,
            attributeNames == null ? null : attributeNames.clone(),
            attributeTypes == null ? null : attributeTypes.clone());
        synchronized (LOCK) {
            Entry[] current = entries;
            if (count == current.length) {
                current = Arrays.copyOf(current, current.length * 2);
            }
            current[count] = entry;
            entries = current; // the volatile write publishes the entry
            return count++;
        }
    }

    /** The span name registered at {@code index} (for tests and log lines), or null. */
    public static String name(int index) {
        Entry entry = entry(index);
        return entry == null ? null : entry.name;
    }

    private static Entry entry(int index) {
        Entry[] current = entries;
        return index >= 0 && index < current.length ? current[index] : null;
    }

    // ---- synchronous methods: a current span from the thread's pool, ended at exit

    /** Starts the span of method {@code index}, current on this thread; null when nothing is recorded. */
    public static SpanSlot start(int index) {
        Entry entry = entry(index);
        if (entry == null) {
            return null;
        }
        SpanSlot span = entry.inheritContext ? Tracer.startSpan(entry.scopeId, entry.kind, entry.name, null)
            : Tracer.startChildSpan(entry.scopeId, entry.kind, entry.name, null, null, true,
                EpochClock.nowEpochNanos());
        setCodeAttributes(span, entry);
        return span;
    }

    private static void setCodeAttributes(SpanSlot span, Entry entry) {
        if (span != null) {
            span.setAttribute(CODE_NAMESPACE, entry.codeNamespace);
            span.setAttribute(CODE_FUNCTION, entry.codeFunction);
        }
    }

    /** As {@link #start(int)}, with the method's arguments for the attributes its parameters name. */
    public static SpanSlot start(int index, Object[] arguments) {
        SpanSlot span = start(index);
        setAttributes(span, index, arguments);
        return span;
    }

    /** Ends a span {@link #start} began: a throwable makes it an ERROR with an exception event. */
    public static void end(SpanSlot span, Throwable error) {
        if (span == null) {
            return;
        }
        try {
            if (error != null) {
                span.setStatus(StatusCode.ERROR, null);
                span.recordException(cause(error));
            }
        } finally {
            span.end(); // whatever recording the exception did: a span left open would parent the thread's next ones
        }
    }

    // ---- methods returning a CompletableFuture or CompletionStage: a detached span, ended when the result completes

    /**
     * Starts the span of method {@code index} detached (it may end on another thread), and attaches its context to
     * this thread for the method's duration, so the spans the method starts are its children;
     * {@link #endAsync} detaches it.
     */
    public static SpanSlot startAsync(int index) {
        Entry entry = entry(index);
        if (entry == null) {
            return null;
        }
        SpanContext parent = entry.inheritContext ? Tracer.captureContext() : null;
        SpanSlot span = Tracer.startChildSpan(entry.scopeId, entry.kind, entry.name, null, parent, false,
            EpochClock.nowEpochNanos());
        if (span != null) {
            setCodeAttributes(span, entry);
            Tracer.attach(span.context());
        }
        return span;
    }

    /** As {@link #startAsync(int)}, with the method's arguments for the attributes its parameters name. */
    public static SpanSlot startAsync(int index, Object[] arguments) {
        SpanSlot span = startAsync(index);
        setAttributes(span, index, arguments);
        return span;
    }

    /**
     * At the method's exit: detaches the span's context, and ends the span now (a throw, a null or completed result)
     * or when the result completes. Returns what the method returns: the result itself, or, for a pending result, the
     * stage {@code whenComplete} makes, which completes only once the span has ended (as the OpenTelemetry agent
     * does).
     */
    public static Object endAsync(SpanSlot span, Object result, Throwable error) {
        if (span == null) {
            return result;
        }
        Tracer.detach();
        if (error != null || result == null) {
            end(span, error);
            return result;
        }
        if (result instanceof CompletableFuture<?> future) {
            if (future.isDone()) {
                end(span, outcome(future));
                return result;
            }
            return future.whenComplete(new MethodSpanEnd(span));
        }
        if (result instanceof CompletionStage<?> stage) {
            return stage.whenComplete(new MethodSpanEnd(span));
        }
        end(span, null);
        return result;
    }

    private static Throwable outcome(CompletableFuture<?> done) {
        if (!done.isCompletedExceptionally()) {
            return null;
        }
        try {
            done.join();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    /** The exception a wrapper stands for, as the OpenTelemetry agent records it. */
    private static Throwable cause(Throwable error) {
        Throwable cause = error;
        for (int depth = 0; depth < 8 && cause.getCause() != null
            && (cause instanceof CompletionException || cause instanceof ExecutionException
                || cause instanceof InvocationTargetException || cause instanceof UndeclaredThrowableException);
             depth++) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static void setAttributes(SpanSlot span, int index, Object[] arguments) {
        if (span == null || arguments == null || !span.isRecording()) {
            return;
        }
        Entry entry = entry(index);
        String[] names = entry.attributeNames;
        if (names == null) {
            return;
        }
        for (int i = 0; i < names.length && i < arguments.length; i++) {
            if (names[i] != null) {
                try {
                    ArgumentAttribute.set(span, names[i], entry.attributeTypes[i], arguments[i]);
                } catch (RuntimeException e) {
                    // an argument's toString threw, or a list changed meanwhile: that attribute is left out
                }
            }
        }
    }
}
