package dev.plume.instrumentation.apachehttpclient;

import dev.plume.bootstrap.http.AsyncCallbackSpans;
import dev.plume.bootstrap.trace.Propagation;
import dev.plume.bootstrap.trace.SpanSlot;
import net.bytebuddy.asm.Advice;
import org.apache.http.HttpHost;
import org.apache.http.HttpRequest;
import org.apache.http.RequestLine;

/**
 * Inlined into {@code MainClientExec#prepare(target, original, ...)}, which HttpAsyncClient 4.1's exchange handler
 * calls with the request while {@code execute} runs: the call begun there starts its span with the request's
 * attributes, and the propagators' headers are set on the request (mutable: nothing copied; redirects copy them).
 */
public final class Async4RequestAdvice {
    private Async4RequestAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.Argument(0) HttpHost target, @Advice.Argument(1) HttpRequest request) {
        RequestLine line = request.getRequestLine();
        SpanSlot span = AsyncCallbackSpans.requestSent(line.getMethod(),
            target != null ? target.getSchemeName() : null, target != null ? target.getHostName() : null,
            target != null ? target.getPort() : -1, line.getUri());
        if (span != null) {
            for (int i = 0; i < Propagation.outgoingCount(); i++) {
                String value = Propagation.outgoingValue(i, span);
                if (value != null) {
                    request.setHeader(Propagation.outgoingName(i), value);
                }
            }
        }
    }
}
