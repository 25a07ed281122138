package dev.plume.instrumentation.methods;

import dev.plume.bootstrap.methods.MethodSpans;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.instrumentation.weave.MethodConstant;
import net.bytebuddy.asm.Advice;

/**
 * A span around a synchronous method: current while the method runs, ended at its exit (an ERROR with an exception
 * event when it throws, the throwable passing on unchanged). The span's name, kind and scope are the method's entry in
 * {@link MethodSpans}, whose index the rewrite supplies as the method's constant.
 */
public final class MethodSpanAdvice {
    private MethodSpanAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static SpanSlot enter(@MethodConstant int method) {
        return MethodSpans.start(method);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter SpanSlot span, @Advice.Thrown Throwable error) {
        MethodSpans.end(span, error);
    }
}
