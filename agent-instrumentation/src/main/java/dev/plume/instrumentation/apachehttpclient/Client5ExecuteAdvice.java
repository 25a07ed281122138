package dev.plume.instrumentation.apachehttpclient;

import dev.plume.bootstrap.http.HttpSemantics;
import dev.plume.bootstrap.http.HttpSpans;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.Propagation;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import net.bytebuddy.asm.Advice;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.ProtocolVersion;
import org.apache.hc.core5.net.URIAuthority;

/**
 * Inlined into {@code doExecute} of Apache HttpClient 5's classic clients, which every {@code execute} overload (with
 * or without a response handler) reaches once: the CLIENT span covers the exec chain, its redirects and retries. The
 * request is mutable, so the propagators' headers are set on it, nothing copied.
 */
public final class Client5ExecuteAdvice {
    private Client5ExecuteAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static SpanSlot enter(@Advice.Argument(0) HttpHost target, @Advice.Argument(1) ClassicHttpRequest request) {
        if (Tracer.enterCall(InstrumentationScope.APACHE_HTTP_CLIENT) > 0) {
            return null;
        }
        SpanSlot enclosing = HttpSpans.enclosingClient(); // under another library's HTTP call: its span, not one here
        SpanSlot span;
        if (enclosing != null) {
            span = null;
        } else if (target != null) {
            span = HttpSpans.startClient(InstrumentationScope.APACHE_HTTP_CLIENT, request.getMethod(),
                target.getSchemeName(), target.getHostName(), target.getPort(), request.getPath(), false);
        } else {
            URIAuthority authority = request.getAuthority();
            span = HttpSpans.startClient(InstrumentationScope.APACHE_HTTP_CLIENT, request.getMethod(),
                request.getScheme(), authority != null ? authority.getHostName() : null,
                authority != null ? authority.getPort() : -1, request.getPath(), false);
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
                ProtocolVersion version = response != null ? response.getVersion() : null;
                HttpSpans.endClient(span, response != null ? response.getCode() : -1,
                    version != null ? HttpSemantics.clientProtocolVersion(version.getMajor(), version.getMinor()) : null,
                    0, error);
            }
        } finally {
            Tracer.exitCall(InstrumentationScope.APACHE_HTTP_CLIENT);
        }
    }
}
