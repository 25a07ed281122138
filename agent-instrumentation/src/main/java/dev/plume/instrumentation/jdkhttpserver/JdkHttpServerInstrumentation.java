package dev.plume.instrumentation.jdkhttpserver;

import dev.plume.instrumentation.LibraryInstrumentation;
import dev.plume.instrumentation.ModuleReads;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;

import java.lang.instrument.Instrumentation;

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
    public AgentBuilder extend(AgentBuilder builder, Instrumentation instrumentation) {
        return builder.type(named("com.sun.net.httpserver.Filter$Chain"))
            .transform((type, description, loader, module, domain) -> {
                ModuleReads.ensureReadsRuntime(instrumentation, module);
                return type.visit(Advice.to(FilterChainAdvice.class).on(named("doFilter").and(takesArguments(1))));
            });
    }
}
