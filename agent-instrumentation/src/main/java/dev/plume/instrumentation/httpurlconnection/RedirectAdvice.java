package dev.plume.instrumentation.httpurlconnection;

import dev.plume.bootstrap.http.HttpUrlConnectionSpans;
import net.bytebuddy.asm.Advice;

import java.net.HttpURLConnection;

/**
 * Inlined into the JDK connection's private {@code followRedirect}: when it follows one (returns true), the request is
 * sent again within the same span, which counts it ({@code http.request.resend_count}).
 */
public final class RedirectAdvice {
    private RedirectAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This HttpURLConnection connection, @Advice.Return boolean followed) {
        if (followed) {
            HttpUrlConnectionSpans.redirected(connection);
        }
    }
}
