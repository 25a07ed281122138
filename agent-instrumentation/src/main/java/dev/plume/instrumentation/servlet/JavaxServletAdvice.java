package dev.plume.instrumentation.servlet;

import dev.plume.bootstrap.http.AsyncRequestCompletion;
import dev.plume.bootstrap.http.HttpSpans;
import dev.plume.bootstrap.http.ServerPaths;
import dev.plume.bootstrap.http.ServletRoutes;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.Propagation;
import dev.plume.bootstrap.trace.SpanContext;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import dev.plume.bootstrap.trace.W3cTraceContext;
import javax.servlet.AsyncListener;
import javax.servlet.DispatcherType;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import net.bytebuddy.asm.Advice;

/**
 * The {@code javax.servlet} (3.0 to 4.0) twin of {@link JakartaServletAdvice}: the types differ, so the inlined bytecode
 * must too; what the two do is the same, and is explained there.
 */
public final class JavaxServletAdvice {
    private JavaxServletAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static SpanSlot enter(@Advice.Argument(0) ServletRequest request) {
        if (Tracer.enterCall(InstrumentationScope.SERVLET) > 0 || !(request instanceof HttpServletRequest)) {
            return null;
        }
        HttpServletRequest http = (HttpServletRequest) request;
        if (http.getDispatcherType() != DispatcherType.REQUEST) {
            Object context = http.getAttribute(ServletInstrumentation.CONTEXT_ATTRIBUTE);
            if (context instanceof SpanContext) {
                Tracer.attach((SpanContext) context); // an async dispatch continues its request's trace
            }
            return null;
        }
        String path = http.getRequestURI();
        if (ServerPaths.isIgnored(path)) {
            Tracer.suppress();
            return null;
        }
        // the propagators' headers; only a header that is there is read as a list (several of a single-valued one
        // are none: two traceparents start a new trace; several tracestate or baggage headers are one list)
        String[] names = Propagation.names();
        String[] values = null;
        for (int i = 0; i < names.length; i++) {
            if (http.getHeader(names[i]) != null) {
                if (values == null) {
                    values = new String[names.length];
                }
                values[i] = Propagation.isList(i) ? W3cTraceContext.join(http.getHeaders(names[i]))
                    : W3cTraceContext.single(http.getHeaders(names[i]));
            }
        }
        SpanSlot span = HttpSpans.startServer(InstrumentationScope.SERVLET, http.getMethod(), null, values);
        if (span != null && span.isRecording()) {
            HttpSpans.serverRequest(span, http.getScheme(), path, http.getQueryString(), http.getHeader("host"),
                http.getProtocol(), http.getHeader("user-agent"), http.getRemoteAddr());
        }
        return span;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter SpanSlot span, @Advice.Argument(0) ServletRequest request,
                            @Advice.Argument(1) ServletResponse response, @Advice.Thrown Throwable error) {
        try {
            if (span != null) {
                HttpServletRequest http = (HttpServletRequest) request;
                // startAsync handed the span to a listener, which ends it (it may have already, on another thread)
                boolean handedOff = http.getAttribute(ServletInstrumentation.CONTEXT_ATTRIBUTE) != null;
                if (!handedOff) {
                    // Servlet 3.x has no mappings: read through a handle, so this advice fits 3.0 too
                    HttpSpans.serverRouteIfAbsent(span, ServletRoutes.fromMapping(http.getContextPath(),
                        ServletRoutes.javaxMappingPattern(http)));
                }
                if (!handedOff && error == null && http.isAsyncStarted()) {
                    // async started where the startAsync advice did not see it: the listener is added late, which
                    // still ends the span unless the request completed before this call returned
                    http.setAttribute(ServletInstrumentation.CONTEXT_ATTRIBUTE, span.context());
                    http.getAsyncContext().addListener(
                        (AsyncListener) AsyncRequestCompletion.listener(AsyncListener.class, span));
                } else if (!handedOff) {
                    // a container's ServletException says only that the application failed: the cause is what failed
                    Throwable failure = error instanceof ServletException && error.getCause() != null
                        ? error.getCause() : error;
                    HttpSpans.endServer(span, error != null ? 500 : ((HttpServletResponse) response).getStatus(),
                        failure);
                }
            }
        } finally {
            Tracer.exitCall(InstrumentationScope.SERVLET);
        }
    }
}
