package dev.plume.instrumentation.lettuce;

import dev.plume.bootstrap.db.RedisSpans;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.Tracer;
import io.lettuce.core.StatefulRedisConnectionImpl;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CompleteableCommand;
import io.lettuce.core.protocol.RedisCommand;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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
        String name = RedisSpans.commandName(command.getType(), command.getType().getBytes());
        CommandArgs<?, ?> args = command.getArgs();
        RedisSpans.AsyncEnd end;
        if (args == null) {
            end = RedisSpans.startAsyncCommand(InstrumentationScope.LETTUCE, holder, name, null);
        } else {
            // the arguments as Lettuce will write them, into a buffer of the application's own (pooled) allocator,
            // read in place by the text builder before the buffer goes back
            ByteBuf buffer = ByteBufAllocator.DEFAULT.buffer();
            try {
                args.encode(buffer);
                end = RedisSpans.startAsyncCommand(InstrumentationScope.LETTUCE, holder, name, buffer.nioBuffer());
            } finally {
                buffer.release();
            }
        }
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
