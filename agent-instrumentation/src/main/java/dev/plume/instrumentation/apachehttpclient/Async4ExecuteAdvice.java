package dev.plume.instrumentation.apachehttpclient;

import dev.plume.bootstrap.http.AsyncCallbackSpans;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.Tracer;
import net.bytebuddy.asm.Advice;
import org.apache.http.concurrent.FutureCallback;

/**
 * Inlined into {@code execute(producer, consumer, context, callback)} of HttpAsyncClient 4.1's client, which every
 * {@code execute} reaches: the application's callback is swapped for one that ends the call's CLIENT span first (see
 * {@link AsyncCallbackSpans}); the span itself starts when the request is prepared ({@link Async4RequestAdvice}).
 */
public final class Async4ExecuteAdvice {
    private Async4ExecuteAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static boolean enter(@Advice.Argument(value = 3, readOnly = false) FutureCallback<?> callback) {
        if (Tracer.enterCall(InstrumentationScope.APACHE_HTTP_CLIENT) > 0) {
            return false;
        }
        callback = (FutureCallback<?>) AsyncCallbackSpans.begin(InstrumentationScope.APACHE_HTTP_CLIENT,
            FutureCallback.class, callback);
        return true;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter boolean outermost, @Advice.Thrown Throwable error) {
        try {
            if (outermost) {
                AsyncCallbackSpans.end(error);
            }
        } finally {
            Tracer.exitCall(InstrumentationScope.APACHE_HTTP_CLIENT);
        }
    }
}
