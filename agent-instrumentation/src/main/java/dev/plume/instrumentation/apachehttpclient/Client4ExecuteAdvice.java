package dev.plume.instrumentation.apachehttpclient;

import dev.plume.bootstrap.http.HttpSemantics;
import dev.plume.bootstrap.http.HttpSpans;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.Propagation;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import net.bytebuddy.asm.Advice;
import org.apache.http.HttpHost;
import org.apache.http.HttpRequest;
import org.apache.http.ProtocolVersion;
import org.apache.http.RequestLine;
import org.apache.http.StatusLine;
import org.apache.http.client.methods.CloseableHttpResponse;

/**
 * Inlined into {@code doExecute} of Apache HttpClient 4.5's clients, which every {@code execute} overload reaches
 * once: the CLIENT span covers redirects and retries. The request is mutable, so the propagators' headers are set on
 * it, nothing copied.
 */
public final class Client4ExecuteAdvice {
    private Client4ExecuteAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static SpanSlot enter(@Advice.Argument(0) HttpHost target, @Advice.Argument(1) HttpRequest request) {
        if (Tracer.enterCall(InstrumentationScope.APACHE_HTTP_CLIENT) > 0) {
            return null;
        }
        SpanSlot enclosing = HttpSpans.enclosingClient(); // under another library's HTTP call: its span, not one here
        SpanSlot span = null;
        if (enclosing == null) {
            RequestLine line = request.getRequestLine();
            span = HttpSpans.startClient(InstrumentationScope.APACHE_HTTP_CLIENT, line.getMethod(),
                target != null ? target.getSchemeName() : null, target != null ? target.getHostName() : null,
                target != null ? target.getPort() : -1, line.getUri(), false);
        }
        SpanSlot sent = HttpSpans.sentContext(enclosing, span);
        if (sent != null) {
            try {
                for (int i = 0; i < Propagation.outgoingCount(); i++) {
                    String value = Propagation.outgoingValue(i, sent);
                    if (value != null) {
                        request.setHeader(Propagation.outgoingName(i), value);
                    }
                }
            } catch (Throwable ignored) {
                // the request goes out as the application built it, and the span still ends
            }
        }
        return span;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter SpanSlot span, @Advice.Return CloseableHttpResponse response,
                            @Advice.Thrown Throwable error) {
        try {
            if (span != null) {
                StatusLine status = response != null ? response.getStatusLine() : null;
                ProtocolVersion version = status != null ? status.getProtocolVersion() : null;
                HttpSpans.endClient(span, status != null ? status.getStatusCode() : -1,
                    version != null ? HttpSemantics.clientProtocolVersion(version.getMajor(), version.getMinor()) : null,
                    0, error);
            }
        } finally {
            Tracer.exitCall(InstrumentationScope.APACHE_HTTP_CLIENT);
        }
    }
}
