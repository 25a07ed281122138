package dev.plume.instrumentation.lettuce;

import dev.plume.bootstrap.db.RedisSpans;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.Tracer;
import io.lettuce.core.StatefulRedisConnectionImpl;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CompleteableCommand;
import io.lettuce.core.protocol.RedisCommand;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into {@code RedisChannelHandler#dispatch(RedisCommand)} and its overrides: the outermost dispatch on the
 * thread starts the command's span, which the command's completion ends (a failure to dispatch ends it at once).
 */
public final class LettuceDispatchAdvice {
    private LettuceDispatchAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static RedisSpans.AsyncEnd enter(@Advice.This Object handler, @Advice.Argument(0) RedisCommand<?, ?, ?> command) {
        if (Tracer.enterCall(InstrumentationScope.LETTUCE) > 0 || !(command instanceof CompleteableCommand)) {
            return null;
        }
        Object holder = handler instanceof StatefulRedisConnectionImpl
            ? ((StatefulRedisConnectionImpl<?, ?>) handler).getConnectionState() : handler;
        byte[] encoded = null;
        CommandArgs<?, ?> args = command.getArgs();
        if (args != null) {
            ByteBuf buffer = Unpooled.buffer();
            try {
                args.encode(buffer);
                encoded = new byte[buffer.readableBytes()];
                buffer.readBytes(encoded);
            } finally {
                buffer.release();
            }
        }
        RedisSpans.AsyncEnd end = RedisSpans.startAsyncCommand(InstrumentationScope.LETTUCE, holder,
            RedisSpans.commandName(command.getType(), command.getType().getBytes()), encoded);
        if (end != null) {
            ((CompleteableCommand<?>) command).onComplete(end);
        }
        return end;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter RedisSpans.AsyncEnd end, @Advice.Thrown Throwable error) {
        try {
            if (end != null && error != null) {
                end.accept(null, error);
            }
        } finally {
            Tracer.exitCall(InstrumentationScope.LETTUCE);
        }
    }
}
