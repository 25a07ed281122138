package dev.plume.instrumentation.jdkhttpclient;

import dev.plume.bootstrap.http.JdkHttpClientHeaders;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Inlined into {@code Http1Request.headers()}, where the JDK client makes an HTTP/1.1 request's header block: the
 * propagation headers leave the system headers while it copies and filters them, and go out as a buffer of their own
 * after the block ({@link JdkHttpClientHeaders#detachForHttp1}, {@link JdkHttpClientHeaders#writeHttp1}).
 */
public final class Http1HeadersAdvice {
    private Http1HeadersAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static Object[] enter(@Advice.This Object request) {
        return JdkHttpClientHeaders.detachForHttp1(request);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.This Object request, @Advice.Enter Object[] detached,
                            @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object block,
                            @Advice.Thrown Throwable thrown) {
        block = JdkHttpClientHeaders.writeHttp1(request, detached, block, thrown);
    }
}
