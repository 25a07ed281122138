package dev.plume.instrumentation.springwebflux;

import dev.plume.bootstrap.trace.Tracer;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into {@code connect} of the connectors whose HTTP client Plume traces (the JDK's {@code HttpClient},
 * Apache HttpClient 5's asynchronous client): that client sends the request when the exchange's {@code Mono} is
 * subscribed, after the exchange returned, and takes the exchange's span offered on this thread instead of starting
 * one. Other connectors (Reactor Netty's, Jetty's) never take it, so the offer ends with the exchange.
 */
public final class TracedConnectorAdvice {
    private TracedConnectorAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter() {
        Tracer.keepHandOff();
    }
}
