package dev.plume.instrumentation.methods;

import dev.plume.bootstrap.methods.MethodSpans;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.instrumentation.weave.MethodConstant;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * A span around a method declared to return a {@code CompletableFuture} or {@code CompletionStage}: detached, its
 * context attached while the method runs (what the method starts is its child), ended when the result completes, on
 * whichever thread completes it; the method then returns the stage that completes once the span has ended.
 */
public final class AsyncMethodSpanAdvice {
    private AsyncMethodSpanAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static SpanSlot enter(@MethodConstant int method) {
        return MethodSpans.startAsync(method);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter SpanSlot span,
                            @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object result,
                            @Advice.Thrown Throwable error) {
        result = MethodSpans.endAsync(span, result, error);
    }
}
