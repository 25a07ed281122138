package dev.plume.instrumentation.jedis;

import dev.plume.bootstrap.db.RedisSpans;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.Tracer;
import net.bytebuddy.asm.Advice;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.args.Rawable;

/**
 * Inlined into {@code Connection#sendCommand(CommandArguments)}, where every command is written: one written outside
 * a traced command is pipelined, and remembered on the connection until its reply is read; a {@code SELECT} changes
 * the connection's database.
 */
public final class JedisSendAdvice {
    private JedisSendAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static void enter(@Advice.This Object connection, @Advice.Argument(0) CommandArguments args) {
        boolean queued = Tracer.enterCall(InstrumentationScope.JEDIS) == 0;
        Rawable command = args.getCommand();
        String name = RedisSpans.commandName(command, command.getRaw());
        if (queued || name.equals("SELECT")) {
            byte[][] raw = new byte[args.size()][];
            int i = 0;
            for (Rawable arg : args) {
                if (i < raw.length) {
                    raw[i++] = arg.getRaw();
                }
            }
            RedisSpans.sent(connection, name, raw, queued);
        }
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit() {
        Tracer.exitCall(InstrumentationScope.JEDIS);
    }
}
