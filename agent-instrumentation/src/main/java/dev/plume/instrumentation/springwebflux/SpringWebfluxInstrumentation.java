package dev.plume.instrumentation.springwebflux;

import dev.plume.instrumentation.LibraryInstrumentation;
import dev.plume.instrumentation.MethodSelector;
import dev.plume.instrumentation.TypeTarget;

import java.util.List;

/**
 * Traces Spring's {@code WebClient} (spring-webflux 5.3 to 6.x): one CLIENT span per exchange, whatever connector
 * sends it, with the propagators' headers on the request. Every {@code WebClient} exchanges through
 * {@code ExchangeFunctions$DefaultExchangeFunction}, after its filters; the connectors Plume traces underneath (the JDK
 * {@code HttpClient}'s, Apache HttpClient 5's) are told so, and their call makes no second span.
 */
public final class SpringWebfluxInstrumentation implements LibraryInstrumentation {
    @Override
    public String name() {
        return "spring-webflux";
    }

    @Override
    public List<TypeTarget> targets() {
        return List.of(
            TypeTarget.named("org.springframework.web.reactive.function.client."
                    + "ExchangeFunctions$DefaultExchangeFunction")
                .advice(ExchangeAdvice.class, MethodSelector.named("exchange").publicOnly().parameters(1)
                    .parameterTypes("org.springframework.web.reactive.function.client.ClientRequest")),
            // connect runs inside exchange; the library these connectors send through joins the exchange's span
            TypeTarget.named("org.springframework.http.client.reactive.JdkClientHttpConnector",
                    "org.springframework.http.client.reactive.HttpComponentsClientHttpConnector")
                .advice(TracedConnectorAdvice.class, MethodSelector.named("connect").publicOnly().parameters(3)));
    }
}
