package dev.plume.instrumentation.okhttp;

import dev.plume.instrumentation.LibraryInstrumentation;
import dev.plume.instrumentation.MethodSelector;
import dev.plume.instrumentation.TypeTarget;

import java.util.List;

/**
 * Traces the application's OkHttp (3.x from 3.4, 4.x, 5.x; {@code okhttp3.*}, never the agent's relocated copy, whose
 * classes have other names): one CLIENT span per call, synchronous or enqueued, around the interceptor chain, with the
 * propagators' headers on the request it sends.
 */
public final class OkHttpInstrumentation implements LibraryInstrumentation {
    @Override
    public String name() {
        return "okhttp";
    }

    @Override
    public List<TypeTarget> targets() {
        // built at run time: the agent jar's relocation of its own OkHttp rewrites every "okhttp3." literal
        return List.of(TypeTarget.named("ok".concat("http3.internal.http.RealInterceptorChain"))
            .advice(ChainProceedAdvice.class, MethodSelector.named("proceed").publicOnly().parameters(1)
                .parameterTypes("ok".concat("http3.Request"))));
    }
}
