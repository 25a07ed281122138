package dev.plume.bootstrap.http;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.trace.SpanSlot;

import java.lang.invoke.MethodHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;

/**
 * What an asynchronous HTTP client call returns to the application when traced: a future that completes with the
 * library's result only after the CLIENT span has ended, so the caller's continuation always sees the span closed
 * (a callback merely added to the library's future may run after the caller has already moved on).
 * Cancelling it cancels the library's future, as before.
 *
 * <p>The response type belongs to a library the bootstrap loader cannot see, so its status code is read through a
 * method handle that the instrumentation supplies. This class is not a {@code CompletableFuture} itself: the runtime's
 * classes are all defined at start-up, and a subclass would load (and so make the agent instrument) the JDK's
 * concurrency classes in every application, used or not.
 */
public final class ClientSpanFuture implements BiConsumer<Object, Throwable> {
    /** Set by the JDK HTTP client instrumentation: reads {@code HttpResponse#statusCode()} from an Object. */
    public static volatile MethodHandle jdkHttpClientStatusCode;

    private final SpanSlot span;
    private final MethodHandle statusCode;
    private final CompletableFuture<Object> traced;

    private ClientSpanFuture(SpanSlot span, MethodHandle statusCode, CompletableFuture<Object> traced) {
        this.span = span;
        this.statusCode = statusCode;
        this.traced = traced;
    }

    /** Returns the future to hand to the application in place of {@code source}. */
    public static CompletableFuture<Object> endOnCompletion(CompletableFuture<?> source, SpanSlot span,
                                                            MethodHandle statusCode) {
        CompletableFuture<Object> traced = new CompletableFuture<>();
        source.whenComplete(new ClientSpanFuture(span, statusCode, traced));
        traced.whenComplete((result, error) -> {
            if (traced.isCancelled()) {
                source.cancel(true);
            }
        });
        return traced;
    }

    @Override
    public void accept(Object response, Throwable error) {
        try {
            int status = -1;
            try {
                if (response != null && statusCode != null) {
                    status = (int) statusCode.invokeExact(response);
                }
            } catch (Throwable t) {
                PlumeLog.warnRateLimited("async-client-status", "could not read an HTTP client response status: " + t);
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                ? error.getCause() : error;
            HttpSpans.endClient(span, status, cause);
        } catch (Throwable t) {
            PlumeLog.warnRateLimited("async-client-end", "could not end an HTTP client span: " + t);
        } finally {
            if (error != null) {
                traced.completeExceptionally(error);
            } else {
                traced.complete(response);
            }
        }
    }
}
