package dev.plume.instrumentation.methods;

import dev.plume.bootstrap.methods.MethodSpans;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.instrumentation.weave.MethodConstant;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/** As {@link AsyncMethodSpanAdvice}, for a method some of whose arguments become attributes. */
public final class AsyncMethodSpanArgumentsAdvice {
    private AsyncMethodSpanArgumentsAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static SpanSlot enter(@MethodConstant int method, @Advice.AllArguments Object[] arguments) {
        return MethodSpans.startAsync(method, arguments);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter SpanSlot span,
                            @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object result,
                            @Advice.Thrown Throwable error) {
        result = MethodSpans.endAsync(span, result, error);
    }
}
