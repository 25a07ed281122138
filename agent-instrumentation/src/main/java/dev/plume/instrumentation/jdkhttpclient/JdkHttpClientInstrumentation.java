package dev.plume.instrumentation.jdkhttpclient;

import dev.plume.bootstrap.http.ClientSpanFuture;
import dev.plume.instrumentation.LibraryInstrumentation;
import dev.plume.instrumentation.MethodSelector;
import dev.plume.instrumentation.TypeTarget;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;


/**
 * Traces {@code java.net.http.HttpClient}: {@code send} as one CLIENT span on the caller's thread, and
 * {@code sendAsync} as a span that ends when the response arrives. Both inject W3C trace context headers.
 * Every client the JDK builds delegates to {@code HttpClientImpl}; the headers go on the {@code HttpRequestImpl} it
 * makes of the application's request (and of each redirect's), without a copy; over HTTP/1.1 they are sent after the
 * request's header block, as a buffer of their own (see {@code JdkHttpClientHeaders}).
 */
public final class JdkHttpClientInstrumentation implements LibraryInstrumentation {
    @Override
    public String name() {
        return "java-http-client";
    }

    @Override
    public List<TypeTarget> targets() {
        if (ClientSpanFuture.jdkHttpClientStatusCode == null) {
            try {
                // by name: a JVM started with a module graph that leaves java.net.http out has no client to trace
                Class<?> response = Class.forName("java.net.http.HttpResponse");
                ClientSpanFuture.jdkHttpClientStatusCode = MethodHandles.publicLookup()
                    .findVirtual(response, "statusCode", MethodType.methodType(int.class))
                    .asType(MethodType.methodType(int.class, Object.class));
            } catch (ReflectiveOperationException | LinkageError e) {
                return List.of();
            }
        }
        return List.of(TypeTarget.named("jdk.internal.net.http.HttpClientImpl")
                .advice(ClientCallAdvice.class, MethodSelector.named("send").publicOnly().parameters(2)
                    .or(MethodSelector.named("sendAsync").privateOnly().parameters(4))),
            TypeTarget.named("jdk.internal.net.http.HttpRequestImpl")
                .opensToRuntime("jdk.internal.net.http", "jdk.internal.net.http.common")
                .advice(RequestHeadersAdvice.class, MethodSelector.constructors()
                    .parameterTypes("java.net.http.HttpRequest", "java.net.ProxySelector"))
                // (URI, String, HttpRequestImpl, boolean) and, on newer JDKs, the same with a header filter
                .advice(FollowUpRequestAdvice.class, MethodSelector.constructors()
                    .parameterTypes("java.net.URI", "java.lang.String", "jdk.internal.net.http.HttpRequestImpl")),
            // an HTTP/1.1 request's header block: the propagation headers sent after it, as a buffer of their own
            TypeTarget.named("jdk.internal.net.http.Http1Request")
                .advice(Http1HeadersAdvice.class, MethodSelector.named("headers").parameters(0)));
    }
}
