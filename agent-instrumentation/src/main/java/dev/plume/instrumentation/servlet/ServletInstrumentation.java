package dev.plume.instrumentation.servlet;

import dev.plume.instrumentation.LibraryInstrumentation;
import dev.plume.instrumentation.TypeTarget;

import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Servlet containers, {@code javax.servlet} 3.0+ (Tomcat 9, Jetty 9/10, Undertow 2) and {@code jakarta.servlet} 5/6
 * (Tomcat 10/11, Jetty 11/12): a SERVER span for the outermost filter chain or servlet call of each request, found by
 * what the classes implement ({@code FilterChain}, {@code Servlet}), whatever the container names them.
 */
public final class ServletInstrumentation implements LibraryInstrumentation {
    /** The request attribute holding an async request's context for its ASYNC dispatch. */
    static final String CONTEXT_ATTRIBUTE = "dev.plume.servlet.context";

    @Override
    public String name() {
        return "servlet";
    }

    @Override
    public List<TypeTarget> targets() {
        return List.of(
            TypeTarget.subtypesOf("jakarta.servlet.FilterChain").advice(JakartaServletAdvice.class,
                named("doFilter").and(takesArguments(2)).and(takesArgument(0, named("jakarta.servlet.ServletRequest")))),
            TypeTarget.subtypesOf("jakarta.servlet.Servlet").advice(JakartaServletAdvice.class,
                named("service").and(takesArguments(2)).and(takesArgument(0, named("jakarta.servlet.ServletRequest")))),
            TypeTarget.subtypesOf("javax.servlet.FilterChain").advice(JavaxServletAdvice.class,
                named("doFilter").and(takesArguments(2)).and(takesArgument(0, named("javax.servlet.ServletRequest")))),
            TypeTarget.subtypesOf("javax.servlet.Servlet").advice(JavaxServletAdvice.class,
                named("service").and(takesArguments(2)).and(takesArgument(0, named("javax.servlet.ServletRequest")))));
    }
}
