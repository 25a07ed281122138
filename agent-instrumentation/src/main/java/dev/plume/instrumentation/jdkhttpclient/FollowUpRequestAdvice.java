package dev.plume.instrumentation.jdkhttpclient;

import dev.plume.bootstrap.http.JdkHttpClientHeaders;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into the constructor the JDK client makes a redirect's or an authentication retry's request with
 * ({@code HttpRequestImpl(URI, String, HttpRequestImpl, ...)}): that request starts with fresh system
 * headers, so the propagation headers of the request it follows (argument 2) are set on it again.
 */
public final class FollowUpRequestAdvice {
    private FollowUpRequestAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This Object request, @Advice.Argument(2) Object previous) {
        JdkHttpClientHeaders.carryOver(previous, request);
    }
}
