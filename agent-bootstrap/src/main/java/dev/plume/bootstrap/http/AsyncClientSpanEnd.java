package dev.plume.bootstrap.http;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.trace.SpanSlot;

import java.lang.invoke.MethodHandle;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;

/**
 * Ends an asynchronous HTTP client span when the response future completes, on whichever thread completes it. The
 * response type belongs to a library the bootstrap loader cannot see, so its status code is read through a method
 * handle that the instrumentation supplies.
 */
public final class AsyncClientSpanEnd implements BiConsumer<Object, Throwable> {
    private final SpanSlot span;
    private final MethodHandle statusCode;

    public AsyncClientSpanEnd(SpanSlot span, MethodHandle statusCode) {
        this.span = span;
        this.statusCode = statusCode;
    }

    /** Set by the JDK HTTP client instrumentation: reads {@code HttpResponse#statusCode()} from an Object. */
    public static volatile MethodHandle jdkHttpClientStatusCode;

    @Override
    public void accept(Object response, Throwable error) {
        int status = -1;
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        try {
            if (response != null && statusCode != null) {
                status = (int) statusCode.invokeExact(response);
            }
        } catch (Throwable t) {
            PlumeLog.warnRateLimited("async-client-status", "could not read an HTTP client response status: " + t);
        }
        HttpSpans.endClient(span, status, cause);
    }
}
