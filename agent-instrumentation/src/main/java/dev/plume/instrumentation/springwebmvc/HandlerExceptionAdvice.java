package dev.plume.instrumentation.springwebmvc;

import dev.plume.bootstrap.http.HttpSpans;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into {@code DispatcherServlet#processHandlerException}: a controller's exception is recorded on the request's
 * SERVER span even when an {@code @ExceptionHandler} or an error view turns it into an ordinary response.
 */
public final class HandlerExceptionAdvice {
    private HandlerExceptionAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.Argument(3) Exception exception) {
        HttpSpans.serverException(exception);
    }
}
