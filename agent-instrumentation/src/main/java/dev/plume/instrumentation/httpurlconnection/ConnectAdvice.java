package dev.plume.instrumentation.httpurlconnection;

import dev.plume.bootstrap.http.HttpUrlConnectionSpans;
import net.bytebuddy.asm.Advice;

import java.net.HttpURLConnection;

/**
 * Inlined into {@code connect} (the JDK's HTTP and HTTPS connections): the request's span starts here when the
 * application connects first, while its headers can still be set; it ends here only if connecting fails.
 */
public final class ConnectAdvice {
    private ConnectAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static int enter(@Advice.This HttpURLConnection connection) {
        return HttpUrlConnectionSpans.enter(connection, false);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.This HttpURLConnection connection, @Advice.Enter int depth,
                            @Advice.Thrown Throwable error) {
        HttpUrlConnectionSpans.exit(connection, depth, false, error);
    }
}
