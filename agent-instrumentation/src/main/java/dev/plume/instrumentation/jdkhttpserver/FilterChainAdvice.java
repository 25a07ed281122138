package dev.plume.instrumentation.jdkhttpserver;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import dev.plume.bootstrap.http.HttpSpans;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.Propagation;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import dev.plume.bootstrap.trace.W3cTraceContext;
import net.bytebuddy.asm.Advice;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * Inlined into {@code Filter.Chain#doFilter}: the outermost call of a request starts the SERVER span (the chain calls
 * itself once per filter, which the call depth tells), the same call's exit ends it with the response status and
 * leaves the thread as it found it.
 */
public final class FilterChainAdvice {
    private FilterChainAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static SpanSlot enter(@Advice.Argument(0) HttpExchange exchange) {
        if (Tracer.enterCall(InstrumentationScope.JDK_HTTP_SERVER) > 0) {
            return null;
        }
        // One pass over the headers: Headers#getFirst copies its key to normalize it, on every call (JDK 17).
        String[] propagated = null;
        String host = null;
        String userAgent = null;
        for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
            String name = header.getKey();
            List<String> values = header.getValue();
            if (name == null || values == null || values.isEmpty()) {
                continue;
            }
            int slot = Propagation.indexOf(name);
            if (slot >= 0) {
                if (propagated == null) {
                    propagated = new String[Propagation.names().length];
                }
                // several tracestate or baggage headers are one list; two traceparents are no parent
                propagated[slot] = Propagation.isList(slot) ? W3cTraceContext.join(values)
                    : values.size() == 1 ? values.get(0) : null;
            } else if (name.equalsIgnoreCase("host")) {
                host = values.get(0);
            } else if (name.equalsIgnoreCase("user-agent")) {
                userAgent = values.get(0);
            }
        }
        SpanSlot span = HttpSpans.startServer(InstrumentationScope.JDK_HTTP_SERVER, exchange.getRequestMethod(),
            exchange.getHttpContext().getPath(), propagated);
        if (span != null && span.isRecording()) {
            URI uri = exchange.getRequestURI();
            InetSocketAddress remote = exchange.getRemoteAddress();
            HttpSpans.serverRequest(span, exchange instanceof HttpsExchange ? "https" : "http", uri.getRawPath(),
                uri.getRawQuery(), host, exchange.getProtocol(), userAgent,
                remote == null ? null : remote.getAddress());
        }
        return span;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter SpanSlot span, @Advice.Argument(0) HttpExchange exchange,
                            @Advice.Thrown Throwable error) {
        try {
            if (span != null) {
                HttpSpans.endServer(span, exchange.getResponseCode(), error);
            }
        } finally {
            Tracer.exitCall(InstrumentationScope.JDK_HTTP_SERVER);
        }
    }
}
