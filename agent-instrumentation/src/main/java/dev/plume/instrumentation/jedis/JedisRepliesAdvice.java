package dev.plume.instrumentation.jedis;

import dev.plume.bootstrap.db.RedisSpans;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into {@code Connection#getMany(int)} and the reply reader every getter calls: when pipelined commands are
 * waiting on the connection, reading their replies is their span (one for the whole pipeline or transaction).
 */
public final class JedisRepliesAdvice {
    private JedisRepliesAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static SpanSlot enter(@Advice.This Object connection) {
        if (Tracer.enterCall(InstrumentationScope.JEDIS) > 0 || !RedisSpans.hasPending(connection)) {
            return null;
        }
        return RedisSpans.startPending(InstrumentationScope.JEDIS, connection);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter SpanSlot span, @Advice.Thrown Throwable error) {
        RedisSpans.exitCall(InstrumentationScope.JEDIS, span, error);
    }
}
