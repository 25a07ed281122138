package dev.plume.instrumentation.apachehttpclient;

import dev.plume.bootstrap.http.HttpSpans;
import dev.plume.bootstrap.trace.InstrumentationScope;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into {@code MainClientExec#execute} of the classic clients (HttpClient 4.5's and 5's), the end of the exec
 * chain, which sends the request: reached once per request the call sends, so every redirect followed and every retry
 * after the first send is one more {@code http.request.resend_count} on the call's span.
 */
public final class ClassicSendAdvice {
    private ClassicSendAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter() {
        HttpSpans.clientSent(InstrumentationScope.APACHE_HTTP_CLIENT);
    }
}
