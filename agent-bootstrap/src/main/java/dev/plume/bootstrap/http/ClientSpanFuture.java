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
 * method handle that the instrumentation supplies.
 */
public final class ClientSpanFuture extends CompletableFuture<Object> implements BiConsumer<Object, Throwable> {
    /** Set by the JDK HTTP client instrumentation: reads {@code HttpResponse#statusCode()} from an Object. */
    public static volatile MethodHandle jdkHttpClientStatusCode;

    private final CompletableFuture<?> source;
    private final SpanSlot span;
    private final MethodHandle statusCode;

    private ClientSpanFuture(CompletableFuture<?> source, SpanSlot span, MethodHandle statusCode) {
        this.source = source;
        this.span = span;
        this.statusCode = statusCode;
    }

    /** Returns the future to hand to the application in place of {@code source}. */
    public static CompletableFuture<Object> endOnCompletion(CompletableFuture<?> source, SpanSlot span,
                                                            MethodHandle statusCode) {
        ClientSpanFuture traced = new ClientSpanFuture(source, span, statusCode);
        source.whenComplete(traced);
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
                completeExceptionally(error);
            } else {
                complete(response);
            }
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        source.cancel(mayInterruptIfRunning);
        return super.cancel(mayInterruptIfRunning);
    }
}
