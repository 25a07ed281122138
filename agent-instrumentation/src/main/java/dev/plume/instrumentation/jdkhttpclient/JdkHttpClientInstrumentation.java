package dev.plume.instrumentation.jdkhttpclient;

import dev.plume.bootstrap.http.ClientSpanFuture;
import dev.plume.instrumentation.LibraryInstrumentation;
import dev.plume.instrumentation.ModuleReads;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;

import java.lang.instrument.Instrumentation;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.http.HttpResponse;

import static net.bytebuddy.matcher.ElementMatchers.isPrivate;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Traces {@code java.net.http.HttpClient}: {@code send} as one CLIENT span on the caller's thread, and
 * {@code sendAsync} as a span that ends when the response future completes. Both inject W3C trace context headers.
 * Every client the JDK builds delegates to {@code HttpClientImpl}, so that is the one class instrumented.
 */
public final class JdkHttpClientInstrumentation implements LibraryInstrumentation {
    @Override
    public String name() {
        return "java-http-client";
    }

    @Override
    public AgentBuilder extend(AgentBuilder builder, Instrumentation instrumentation) {
        try {
            ClientSpanFuture.jdkHttpClientStatusCode = MethodHandles.publicLookup()
                .findVirtual(HttpResponse.class, "statusCode", MethodType.methodType(int.class))
                .asType(MethodType.methodType(int.class, Object.class));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("HttpResponse#statusCode not found", e);
        }
        return builder.type(named("jdk.internal.net.http.HttpClientImpl"))
            .transform((type, description, loader, module, domain) -> {
                ModuleReads.ensureReadsRuntime(instrumentation, module);
                return type.visit(Advice.to(ClientCallAdvice.class).on(
                    named("send").and(isPublic()).and(takesArguments(2))
                        .or(named("sendAsync").and(isPrivate()).and(takesArguments(4)))));
            });
    }
}
