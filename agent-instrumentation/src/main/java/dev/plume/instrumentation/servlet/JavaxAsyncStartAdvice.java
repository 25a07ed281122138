package dev.plume.instrumentation.servlet;

import dev.plume.bootstrap.http.AsyncRequestCompletion;
import dev.plume.bootstrap.http.HttpSpans;
import dev.plume.bootstrap.http.ServletRoutes;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import javax.servlet.AsyncContext;
import javax.servlet.AsyncListener;
import javax.servlet.ServletRequest;
import javax.servlet.http.HttpServletRequest;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into every {@code javax.servlet.ServletRequest#startAsync}: the request's SERVER span (open on this thread)
 * is handed to a listener on the new {@code AsyncContext} there and then, before the application can hand the request
 * to another thread, so a request completed before its {@code service} call returns still ends its span. The first
 * call registers (a wrapper's and the wrapped request's share the attribute), a later one finds it done.
 */
public final class JavaxAsyncStartAdvice {
    private JavaxAsyncStartAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This ServletRequest request, @Advice.Return AsyncContext async) {
        if (async != null && request.getAttribute(ServletInstrumentation.CONTEXT_ATTRIBUTE) == null) {
            SpanSlot span = Tracer.currentSpan(SpanKind.SERVER);
            if (span != null) {
                // the route is set now: the span may end before the service call returns
                if (request instanceof HttpServletRequest) {
                    HttpServletRequest http = (HttpServletRequest) request;
                    HttpSpans.serverRouteIfAbsent(span, ServletRoutes.fromMapping(http.getContextPath(),
                        ServletRoutes.javaxMappingPattern(http)));
                }
                request.setAttribute(ServletInstrumentation.CONTEXT_ATTRIBUTE, span.context());
                async.addListener((AsyncListener) AsyncRequestCompletion.listener(AsyncListener.class, span));
            }
        }
    }
}
