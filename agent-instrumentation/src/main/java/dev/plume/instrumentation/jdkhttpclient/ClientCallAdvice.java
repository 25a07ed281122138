package dev.plume.instrumentation.jdkhttpclient;

import dev.plume.bootstrap.http.AcceptAllHeaders;
import dev.plume.bootstrap.http.ClientSpanFuture;
import dev.plume.bootstrap.http.HttpSpans;
import dev.plume.bootstrap.http.JdkHttpClientHeaders;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.Propagation;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;

/**
 * Inlined into {@code HttpClientImpl#send} and the private {@code sendAsync} that every asynchronous call reaches.
 * {@code send} gets a CLIENT span current on the caller's thread; {@code sendAsync} a detached span that ends when the
 * response future completes. A {@code sendAsync} made by {@code send} is already traced and is skipped. The span's
 * propagation headers go on the client's own copy of the request, built further down the call
 * ({@link RequestHeadersAdvice}), so the application's request is not copied once more.
 */
public final class ClientCallAdvice {
    private ClientCallAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static SpanSlot enter(@Advice.Argument(value = 0, readOnly = false) HttpRequest request,
                                 @Advice.Origin("#m") String methodName) {
        if (Tracer.enterCall(InstrumentationScope.JDK_HTTP_CLIENT) > 0) {
            return null; // send calls sendAsync: one span
        }
        // under another library's HTTP call (a WebClient exchange over the JDK connector): its span, not one here
        SpanSlot enclosing = HttpSpans.enclosingClient();
        SpanSlot span = enclosing == null ? HttpSpans.startClient(InstrumentationScope.JDK_HTTP_CLIENT,
            request.method(), request.uri(), !"send".equals(methodName)) : null;
        SpanSlot sent = HttpSpans.sentContext(enclosing, span);
        if (sent != null && !JdkHttpClientHeaders.handOff(sent, request.headers().map())) {
            try {
                // The application set a propagation header itself (or this JDK's request cannot take ours in place):
                // the request is immutable, so a copy goes out, with the propagators' headers replacing its own.
                HttpRequest.Builder copy = HttpRequest.newBuilder(request, AcceptAllHeaders.INSTANCE);
                for (int i = 0; i < Propagation.outgoingCount(); i++) {
                    String value = Propagation.outgoingValue(i, sent);
                    if (value != null) {
                        copy.setHeader(Propagation.outgoingName(i), value);
                    }
                }
                request = copy.build();
            } catch (Throwable ignored) {
                // the request goes out as the application built it
            }
        }
        return span;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter SpanSlot span,
                            @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object result,
                            @Advice.Thrown Throwable error) {
        try {
            if (span == null) {
                return;
            }
            if (error == null && result instanceof CompletableFuture) {
                result = ClientSpanFuture.endOnCompletion((CompletableFuture<?>) result, span,
                    ClientSpanFuture.jdkHttpClientStatusCode);
            } else {
                HttpSpans.endClient(span, result instanceof HttpResponse ? ((HttpResponse<?>) result).statusCode()
                    : -1, error);
            }
        } finally {
            Tracer.exitCall(InstrumentationScope.JDK_HTTP_CLIENT);
        }
    }
}
