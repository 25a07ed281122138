package dev.plume.instrumentation.methods;

import dev.plume.bootstrap.methods.MethodSpans;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.instrumentation.weave.MethodConstant;
import net.bytebuddy.asm.Advice;

/**
 * As {@link MethodSpanAdvice}, for a method some of whose arguments become attributes ({@code @SpanAttribute}): only
 * these methods pay for the array of arguments.
 */
public final class MethodSpanArgumentsAdvice {
    private MethodSpanArgumentsAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static SpanSlot enter(@MethodConstant int method, @Advice.AllArguments Object[] arguments) {
        return MethodSpans.start(method, arguments);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter SpanSlot span, @Advice.Thrown Throwable error) {
        MethodSpans.end(span, error);
    }
}
