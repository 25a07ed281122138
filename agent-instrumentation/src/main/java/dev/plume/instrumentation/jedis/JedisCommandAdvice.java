package dev.plume.instrumentation.jedis;

import dev.plume.bootstrap.db.RedisSpans;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import net.bytebuddy.asm.Advice;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.args.Rawable;

/**
 * Inlined into {@code Connection#executeCommand(CommandObject)} and {@code executeCommand(CommandArguments)}: a CLIENT
 * span for the command, the outermost one on the thread (the connection's own nested calls make none).
 */
public final class JedisCommandAdvice {
    private JedisCommandAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static SpanSlot enter(@Advice.This Object connection, @Advice.Argument(0) Object command) {
        if (Tracer.enterCall(InstrumentationScope.JEDIS) > 0) {
            return null;
        }
        CommandArguments args = command instanceof CommandObject
            ? ((CommandObject<?>) command).getArguments() : (CommandArguments) command;
        byte[][] raw = new byte[args.size()][];
        int i = 0;
        for (Rawable arg : args) {
            if (i < raw.length) {
                raw[i++] = arg.getRaw();
            }
        }
        return RedisSpans.startCommand(InstrumentationScope.JEDIS, connection,
            RedisSpans.commandName(args.getCommand(), raw.length > 0 ? raw[0] : null), raw);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter SpanSlot span, @Advice.Thrown Throwable error) {
        RedisSpans.exitCall(InstrumentationScope.JEDIS, span, error);
    }
}
