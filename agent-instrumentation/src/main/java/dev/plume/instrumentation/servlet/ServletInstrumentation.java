package dev.plume.instrumentation.servlet;

import dev.plume.instrumentation.LibraryInstrumentation;
import dev.plume.instrumentation.MethodSelector;
import dev.plume.instrumentation.TypeTarget;

import java.util.List;


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
            chain("jakarta.servlet", JakartaServletAdvice.class), servlet("jakarta.servlet", JakartaServletAdvice.class),
            asyncStart("jakarta.servlet", JakartaAsyncStartAdvice.class),
            chain("javax.servlet", JavaxServletAdvice.class), servlet("javax.servlet", JavaxServletAdvice.class),
            asyncStart("javax.servlet", JavaxAsyncStartAdvice.class));
    }

    /** Every {@code ServletRequest#startAsync}, both overloads (the container's request, its facade, wrappers). */
    private static TypeTarget asyncStart(String api, Class<?> advice) {
        return TypeTarget.subtypesOf(api + ".ServletRequest").advice(advice, MethodSelector.named("startAsync"));
    }

    /** Every {@code FilterChain#doFilter(ServletRequest, ServletResponse)}. */
    private static TypeTarget chain(String api, Class<?> advice) {
        return TypeTarget.subtypesOf(api + ".FilterChain").advice(advice, MethodSelector.named("doFilter")
            .parameters(2).parameterTypes(api + ".ServletRequest"));
    }

    /** Every {@code Servlet#service(ServletRequest, ServletResponse)} (not HttpServlet's protected overload). */
    private static TypeTarget servlet(String api, Class<?> advice) {
        return TypeTarget.subtypesOf(api + ".Servlet").advice(advice, MethodSelector.named("service")
            .parameters(2).parameterTypes(api + ".ServletRequest"));
    }
}
