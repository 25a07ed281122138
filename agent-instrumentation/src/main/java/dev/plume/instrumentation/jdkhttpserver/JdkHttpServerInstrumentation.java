package dev.plume.instrumentation.jdkhttpserver;

import dev.plume.instrumentation.LibraryInstrumentation;
import dev.plume.instrumentation.MethodSelector;
import dev.plume.instrumentation.TypeTarget;

import java.util.List;

/**
 * Traces the JDK's built-in HTTP server ({@code com.sun.net.httpserver}). Every request passes through
 * {@code Filter.Chain#doFilter}, whatever its handler is (class or lambda), so one advice there sees them all.
 */
public final class JdkHttpServerInstrumentation implements LibraryInstrumentation {
    @Override
    public String name() {
        return "java-http-server";
    }

    @Override
    public List<String> aliases() {
        return List.of("jdk-httpserver");
    }

    @Override
    public List<TypeTarget> targets() {
        return List.of(TypeTarget.named("com.sun.net.httpserver.Filter$Chain")
            .advice(FilterChainAdvice.class, MethodSelector.named("doFilter").parameters(1))
            .opensToRuntime("sun.net.httpserver", "com.sun.net.httpserver")); // JdkServerExchange reads their fields
    }
}
