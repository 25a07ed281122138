package dev.plume.instrumentation.apachehttpclient;

import dev.plume.bootstrap.http.AsyncCallbackSpans;
import dev.plume.bootstrap.trace.Propagation;
import dev.plume.bootstrap.trace.SpanSlot;
import net.bytebuddy.asm.Advice;
import org.apache.hc.client5.http.async.AsyncExecChain;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.net.URIAuthority;

/**
 * Inlined into {@code AsyncExecChainElement#execute}, which the asynchronous client's request producer reaches with
 * the request while {@code doExecute} runs: the call begun there starts its span with the request's attributes, and
 * the propagators' headers are set on the request (mutable: nothing copied). The chain's later elements, and the
 * elements running on the I/O threads (a redirect's request), find no call begun on their thread, or one already
 * started, and do nothing.
 */
public final class Async5RequestAdvice {
    private Async5RequestAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.Argument(0) HttpRequest request, @Advice.Argument(2) AsyncExecChain.Scope scope) {
        URIAuthority authority = request.getAuthority();
        SpanSlot span = AsyncCallbackSpans.requestSent(request.getMethod(), request.getScheme(),
            authority != null ? authority.getHostName() : null, authority != null ? authority.getPort() : -1,
            request.getPath());
        if (span != null) {
            for (int i = 0; i < Propagation.outgoingCount(); i++) {
                String value = Propagation.outgoingValue(i, span);
                if (value != null) {
                    request.setHeader(Propagation.outgoingName(i), value);
                    if (scope != null && scope.originalRequest != request) {
                        // a redirect is built from the original: the headers go there too
                        scope.originalRequest.setHeader(Propagation.outgoingName(i), value);
                    }
                }
            }
        }
    }
}
