package dev.plume.instrumentation.okhttp;

import dev.plume.bootstrap.http.HttpSemantics;
import dev.plume.bootstrap.http.HttpSpans;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.Propagation;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import net.bytebuddy.asm.Advice;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Inlined into {@code RealInterceptorChain#proceed(Request)}. A call's chain starts, for {@code execute} and for an
 * {@code enqueue}d call on the dispatcher's thread alike, with one outermost {@code proceed} of the call's request,
 * which returns the final response after every interceptor, retry and redirect: that is the call's CLIENT span. The
 * request passed on carries the propagators' headers (a {@code Request} is immutable, so it is a copy; OkHttp's own
 * bridge interceptor copies it again to add its headers). Inner {@code proceed}s, one per interceptor, add nothing.
 */
public final class ChainProceedAdvice {
    private ChainProceedAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static SpanSlot enter(@Advice.Argument(value = 0, readOnly = false) Request request) {
        if (Tracer.enterCall(InstrumentationScope.OKHTTP) > 0) {
            return null;
        }
        // inside another library's HTTP call: that call's span is the one span, and its context goes out here
        SpanSlot enclosing = HttpSpans.enclosingClient();
        SpanSlot span = null;
        if (enclosing == null) {
            HttpUrl url = request.url();
            span = HttpSpans.startClient(InstrumentationScope.OKHTTP, request.method(), url.toString(), url.host(),
                url.port(), false);
        }
        SpanSlot sent = HttpSpans.sentContext(enclosing, span);
        if (sent != null) {
            try {
                Request.Builder copy = request.newBuilder();
                for (int i = 0; i < Propagation.outgoingCount(); i++) {
                    String value = Propagation.outgoingValue(i, sent);
                    if (value != null) {
                        copy.header(Propagation.outgoingName(i), value);
                    }
                }
                request = copy.build();
            } catch (Throwable ignored) {
                // the request goes out as the application built it, and the span still ends
            }
        }
        return span;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter SpanSlot span, @Advice.Return Response response,
                            @Advice.Thrown Throwable error) {
        try {
            if (span != null) {
                // each redirect or authentication follow-up leaves the response it answered as the prior one
                int resends = 0;
                for (Response prior = response != null ? response.priorResponse() : null; prior != null
                    && resends < 100; prior = prior.priorResponse()) {
                    resends++;
                }
                HttpSpans.endClient(span, response != null ? response.code() : -1,
                    response != null ? HttpSemantics.clientProtocolVersion(response.protocol().toString()) : null,
                    resends, error);
            }
        } finally {
            Tracer.exitCall(InstrumentationScope.OKHTTP);
        }
    }
}
