package dev.plume.bootstrap.methods;

import dev.plume.bootstrap.trace.SpanSlot;

import java.util.function.BiConsumer;

/**
 * Ends a method's span when the {@code CompletableFuture} or {@code CompletionStage} it returned completes, on
 * whichever thread completes it; an exceptional completion makes the span an ERROR.
 */
final class MethodSpanEnd implements BiConsumer<Object, Throwable> {
    private final SpanSlot span;

    MethodSpanEnd(SpanSlot span) {
        this.span = span;
    }

    @Override
    public void accept(Object result, Throwable error) {
        try {
            MethodSpans.end(span, error);
        } catch (Throwable ignored) {
            // never into the application's completion chain
        }
    }
}
