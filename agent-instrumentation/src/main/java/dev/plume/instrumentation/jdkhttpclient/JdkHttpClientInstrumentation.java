package dev.plume.instrumentation.jdkhttpclient;

import dev.plume.bootstrap.http.ClientSpanFuture;
import dev.plume.instrumentation.LibraryInstrumentation;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.http.HttpResponse;
import java.util.Set;

import static net.bytebuddy.matcher.ElementMatchers.isPrivate;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Traces {@code java.net.http.HttpClient}: {@code send} as one CLIENT span on the caller's thread, and
 * {@code sendAsync} as a span that ends when the response arrives. Both inject W3C trace context headers.
 * Every client the JDK builds delegates to {@code HttpClientImpl}, so that is the one class instrumented.
 */
public final class JdkHttpClientInstrumentation implements LibraryInstrumentation {
    @Override
    public String name() {
        return "java-http-client";
    }

    @Override
    public Set<String> typeNames() {
        return Set.of("jdk.internal.net.http.HttpClientImpl");
    }

    @Override
    public AsmVisitorWrapper advice(TypeDescription type) {
        if (ClientSpanFuture.jdkHttpClientStatusCode == null) {
            try {
                ClientSpanFuture.jdkHttpClientStatusCode = MethodHandles.publicLookup()
                    .findVirtual(HttpResponse.class, "statusCode", MethodType.methodType(int.class))
                    .asType(MethodType.methodType(int.class, Object.class));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("HttpResponse#statusCode not found", e);
            }
        }
        return Advice.to(ClientCallAdvice.class).on(named("send").and(isPublic()).and(takesArguments(2))
            .or(named("sendAsync").and(isPrivate()).and(takesArguments(4))));
    }
}
