package dev.plume.instrumentation.springwebflux;

import dev.plume.bootstrap.http.HttpSpans;
import dev.plume.bootstrap.http.MapHeaders;
import dev.plume.bootstrap.http.ReactiveExchangeSpan;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.Propagation;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import net.bytebuddy.asm.Advice;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import reactor.core.publisher.Mono;

import java.util.function.Consumer;

/**
 * Inlined into {@code ExchangeFunctions$DefaultExchangeFunction#exchange}, which {@code WebClient} calls when the
 * request's {@code Mono} is subscribed (once per subscription: a retry is a new exchange): the CLIENT span starts here,
 * detached, under the subscribing thread's context; the request passed on is a copy carrying the propagators' headers
 * ({@code ClientRequest} is immutable); the returned {@code Mono} ends the span on its first signal (response, error,
 * cancel). The span is offered to the connector's HTTP client ({@link TracedConnectorAdvice}) so that it makes no
 * second one.
 */
public final class ExchangeAdvice {
    private ExchangeAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static SpanSlot enter(@Advice.Argument(value = 0, readOnly = false) ClientRequest request) {
        if (Tracer.enterCall(InstrumentationScope.SPRING_WEBFLUX) > 0 || request == null) {
            return null;
        }
        SpanSlot enclosing = HttpSpans.enclosingClient();
        if (enclosing == Tracer.HANDED_OFF) {
            // an earlier exchange's offer, whose client sent from another thread: this exchange is its own
            enclosing = HttpSpans.enclosingClient();
        }
        Object method = request.method(); // an enum in 5.x, a class in 6.x: both name themselves
        SpanSlot span = enclosing == null ? HttpSpans.startClient(InstrumentationScope.SPRING_WEBFLUX,
            method != null ? method.toString() : null, request.url(), true) : null;
        SpanSlot sent = HttpSpans.sentContext(enclosing, span);
        if (sent != null && Propagation.outgoingCount() > 0) {
            try {
                // set, not added: a header of the same name the application put on the request is replaced
                @SuppressWarnings("unchecked")
                Consumer<HttpHeaders> headers = (Consumer<HttpHeaders>) (Consumer<?>) MapHeaders.of(sent);
                request = ClientRequest.from(request).headers(headers).build();
            } catch (Throwable ignored) {
                // the request goes out as the application built it, and the span still ends
            }
        }
        if (span != null) {
            Tracer.handOff(span);
        }
        return span;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter SpanSlot span,
                            @Advice.Return(readOnly = false) Mono<ClientResponse> response,
                            @Advice.Thrown Throwable error) {
        try {
            if (span != null) {
                Tracer.withdrawHandOff();
                if (error != null || response == null) {
                    HttpSpans.endClient(span, -1, error);
                } else {
                    ReactiveExchangeSpan ending = ReactiveExchangeSpan.of(span);
                    response = response.doOnSuccess(ending).doOnError(ending).doOnCancel(ending);
                }
            }
        } finally {
            Tracer.exitCall(InstrumentationScope.SPRING_WEBFLUX);
        }
    }
}
