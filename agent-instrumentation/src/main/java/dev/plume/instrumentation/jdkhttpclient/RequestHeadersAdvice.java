package dev.plume.instrumentation.jdkhttpclient;

import dev.plume.bootstrap.http.JdkHttpClientHeaders;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into the constructor of the JDK client's own request made from the application's
 * ({@code HttpRequestImpl(HttpRequest, ProxySelector)}, on the caller's thread inside {@code send}/{@code sendAsync}):
 * the propagation headers of the span {@link ClientCallAdvice} handed off go on as its system headers.
 */
public final class RequestHeadersAdvice {
    private RequestHeadersAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This Object request) {
        JdkHttpClientHeaders.inject(request);
    }
}
