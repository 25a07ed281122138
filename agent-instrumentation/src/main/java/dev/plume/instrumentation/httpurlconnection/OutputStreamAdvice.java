package dev.plume.instrumentation.httpurlconnection;

import dev.plume.bootstrap.http.HttpUrlConnectionSpans;
import net.bytebuddy.asm.Advice;

import java.net.HttpURLConnection;

/**
 * Inlined into {@code getOutputStream}: a request with a body may be sent from here (streaming modes write the headers
 * at once), so its span starts here at the latest; it ends here only if opening the body fails.
 */
public final class OutputStreamAdvice {
    private OutputStreamAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static int enter(@Advice.This HttpURLConnection connection) {
        return HttpUrlConnectionSpans.enter(connection, true);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.This HttpURLConnection connection, @Advice.Enter int depth,
                            @Advice.Thrown Throwable error) {
        HttpUrlConnectionSpans.exit(connection, depth, false, error);
    }
}
