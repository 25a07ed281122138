package dev.plume.instrumentation.jdkhttpserver;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import dev.plume.bootstrap.http.HttpSpans;
import dev.plume.bootstrap.http.JdkServerExchange;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import net.bytebuddy.asm.Advice;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;

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
        // One pass over the headers, in place (JdkServerExchange): Headers#getFirst copies its key to normalize it
        // on every call, and iterating the headers wraps each entry (JDK 17).
        JdkServerExchange.Headers headers = JdkServerExchange.read(exchange.getRequestHeaders());
        SpanSlot span = HttpSpans.startServer(InstrumentationScope.JDK_HTTP_SERVER, exchange.getRequestMethod(),
            exchange.getHttpContext().getPath(), headers.propagated());
        if (span != null && span.isRecording()) {
            URI uri = exchange.getRequestURI();
            Object internal = JdkServerExchange.internalOf(exchange); // null: an exchange only the public API reads
            InetAddress client;
            String protocol = internal != null ? JdkServerExchange.protocol(internal) : null;
            if (protocol == null) {
                protocol = exchange.getProtocol();
            }
            if (internal != null) {
                client = JdkServerExchange.remoteAddress(internal);
            } else {
                InetSocketAddress remote = exchange.getRemoteAddress();
                client = remote == null ? null : remote.getAddress();
            }
            HttpSpans.serverRequest(span, exchange instanceof HttpsExchange ? "https" : "http", uri.getRawPath(),
                uri.getRawQuery(), headers.host(), protocol, headers.userAgent(), client);
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
