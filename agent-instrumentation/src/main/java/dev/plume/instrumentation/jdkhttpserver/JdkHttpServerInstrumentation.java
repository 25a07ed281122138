package dev.plume.instrumentation.jdkhttpserver;

import dev.plume.instrumentation.LibraryInstrumentation;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;

import java.util.Set;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Traces the JDK's built-in HTTP server ({@code com.sun.net.httpserver}). Every request passes through
 * {@code Filter.Chain#doFilter}, whatever its handler is (class or lambda), so one advice there sees them all.
 */
public final class JdkHttpServerInstrumentation implements LibraryInstrumentation {
    @Override
    public String name() {
        return "jdk-httpserver";
    }

    @Override
    public Set<String> typeNames() {
        return Set.of("com.sun.net.httpserver.Filter$Chain");
    }

    @Override
    public AsmVisitorWrapper advice(TypeDescription type) {
        return Advice.to(FilterChainAdvice.class).on(named("doFilter").and(takesArguments(1)));
    }
}
