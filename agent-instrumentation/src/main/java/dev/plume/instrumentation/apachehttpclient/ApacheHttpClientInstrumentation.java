package dev.plume.instrumentation.apachehttpclient;

import dev.plume.instrumentation.LibraryInstrumentation;
import dev.plume.instrumentation.MethodSelector;
import dev.plume.instrumentation.TypeTarget;

import java.util.List;

/**
 * Traces Apache HttpClient 4.5 ({@code org.apache.httpcomponents:httpclient}), HttpAsyncClient 4.1
 * ({@code org.apache.httpcomponents:httpasyncclient}) and 5.x
 * ({@code org.apache.httpcomponents.client5:httpclient5}): one CLIENT span per {@code execute}, classic or
 * asynchronous, with the propagators' headers set on the request. Every client the builders make is one of the named
 * classes, and each {@code execute} reaches its {@code doExecute} (or the asynchronous clients' entry) once.
 */
public final class ApacheHttpClientInstrumentation implements LibraryInstrumentation {
    @Override
    public String name() {
        return "apache-httpclient";
    }

    @Override
    public List<TypeTarget> targets() {
        MethodSelector doExecute = MethodSelector.named("doExecute").parameters(3);
        return List.of(
            TypeTarget.named("org.apache.hc.client5.http.impl.classic.InternalHttpClient",
                    "org.apache.hc.client5.http.impl.classic.MinimalHttpClient")
                .advice(Client5ExecuteAdvice.class, doExecute.parameterTypes("org.apache.hc.core5.http.HttpHost",
                    "org.apache.hc.core5.http.ClassicHttpRequest")),
            // the end of the classic exec chains, once per request sent: redirects and retries count as resends
            TypeTarget.named("org.apache.hc.client5.http.impl.classic.MainClientExec")
                .advice(ClassicSendAdvice.class, MethodSelector.named("execute").publicOnly().parameters(3)
                    .parameterTypes("org.apache.hc.core5.http.ClassicHttpRequest")),
            TypeTarget.named("org.apache.http.impl.execchain.MainClientExec")
                .advice(ClassicSendAdvice.class, MethodSelector.named("execute").publicOnly().parameters(4)
                    .parameterTypes("org.apache.http.conn.routing.HttpRoute")),
            // the asynchronous client starts its exec chain with the request while doExecute runs
            TypeTarget.named("org.apache.hc.client5.http.impl.async.InternalAbstractHttpAsyncClient")
                .advice(Async5ExecuteAdvice.class, MethodSelector.named("doExecute").parameters(6)),
            TypeTarget.named("org.apache.hc.client5.http.impl.async.AsyncExecChainElement")
                .advice(Async5RequestAdvice.class, MethodSelector.named("execute").publicOnly().parameters(4)
                    .parameterTypes("org.apache.hc.core5.http.HttpRequest")),
            TypeTarget.named("org.apache.http.impl.client.InternalHttpClient",
                    "org.apache.http.impl.client.MinimalHttpClient", "org.apache.http.impl.client.AbstractHttpClient")
                .advice(Client4ExecuteAdvice.class, doExecute.parameterTypes("org.apache.http.HttpHost",
                    "org.apache.http.HttpRequest")),
            // HttpAsyncClient 4.1 (org.apache.httpcomponents:httpasyncclient): the exchange handler prepares the
            // request on the calling thread while execute runs
            TypeTarget.named("org.apache.http.impl.nio.client.InternalHttpAsyncClient")
                .advice(Async4ExecuteAdvice.class, MethodSelector.named("execute").publicOnly().parameters(4)
                    .parameterTypes("org.apache.http.nio.protocol.HttpAsyncRequestProducer")),
            TypeTarget.named("org.apache.http.impl.nio.client.MainClientExec")
                .advice(Async4RequestAdvice.class, MethodSelector.named("prepare").publicOnly().parameters(4)
                    .parameterTypes("org.apache.http.HttpHost", "org.apache.http.HttpRequest")));
    }
}
