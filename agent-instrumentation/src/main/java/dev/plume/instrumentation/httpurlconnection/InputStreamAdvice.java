package dev.plume.instrumentation.httpurlconnection;

import dev.plume.bootstrap.http.HttpUrlConnectionSpans;
import net.bytebuddy.asm.Advice;

import java.net.HttpURLConnection;

/**
 * Inlined into {@code getInputStream}, which every way of reading the response calls ({@code getResponseCode},
 * {@code getHeaderField}, ...): the outermost call ends the request's span with the response's status, starting it
 * first if nothing did.
 */
public final class InputStreamAdvice {
    private InputStreamAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static int enter(@Advice.This HttpURLConnection connection) {
        return HttpUrlConnectionSpans.enter(connection, false);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.This HttpURLConnection connection, @Advice.Enter int depth,
                            @Advice.Thrown Throwable error) {
        HttpUrlConnectionSpans.exit(connection, depth, true, error);
    }
}
