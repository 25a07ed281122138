package dev.plume.instrumentation.jdkhttpserver;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import dev.plume.bootstrap.http.HttpSpans;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.SpanSlot;
import net.bytebuddy.asm.Advice;

import java.net.InetSocketAddress;
import java.net.URI;

/**
 * Inlined into {@code Filter.Chain#doFilter}: the outermost call of a request starts the SERVER span (the chain calls
 * itself once per filter), the same call's exit ends it with the response status.
 */
public final class FilterChainAdvice {
    private FilterChainAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static SpanSlot enter(@Advice.Argument(0) HttpExchange exchange) {
        if (HttpSpans.isInside(InstrumentationScope.JDK_HTTP_SERVER, SpanKind.SERVER)) {
            return null;
        }
        Headers headers = exchange.getRequestHeaders();
        SpanSlot span = HttpSpans.startServer(InstrumentationScope.JDK_HTTP_SERVER, exchange.getRequestMethod(),
            exchange.getHttpContext().getPath(), headers.getFirst("traceparent"), headers.getFirst("tracestate"));
        if (span != null && span.isRecording()) {
            URI uri = exchange.getRequestURI();
            InetSocketAddress remote = exchange.getRemoteAddress();
            HttpSpans.serverRequest(span, exchange instanceof HttpsExchange ? "https" : "http", uri.getRawPath(),
                uri.getRawQuery(), headers.getFirst("Host"), exchange.getProtocol(), headers.getFirst("User-Agent"),
                remote == null ? null : remote.getAddress());
        }
        return span;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter SpanSlot span, @Advice.Argument(0) HttpExchange exchange,
                            @Advice.Thrown Throwable error) {
        if (span != null) {
            HttpSpans.endServer(span, exchange.getResponseCode(), error);
        }
    }
}
