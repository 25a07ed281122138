package dev.plume.instrumentation.jedis;

import dev.plume.instrumentation.LibraryInstrumentation;
import dev.plume.instrumentation.MethodSelector;
import dev.plume.instrumentation.TypeTarget;

import java.util.List;

/**
 * Jedis 4 and later: every command goes through {@code redis.clients.jedis.Connection}, whatever the API on top
 * ({@code Jedis}, {@code JedisPooled}, {@code UnifiedJedis}, pools). A command the connection runs
 * ({@code executeCommand}) is a CLIENT span; commands written without waiting ({@code sendCommand} from a pipeline or
 * a transaction) are remembered on the connection, and reading their replies ({@code getMany}, or the one reply
 * reader every getter shares) is one span for all of them. The connection carries its server, database and pending
 * commands in the agent's field.
 */
public final class JedisInstrumentation implements LibraryInstrumentation {
    private static final String CONNECTION = "redis.clients.jedis.Connection";
    private static final String COMMAND_OBJECT = "redis.clients.jedis.CommandObject";
    private static final String COMMAND_ARGUMENTS = "redis.clients.jedis.CommandArguments";

    @Override
    public String name() {
        return "jedis";
    }

    @Override
    public List<TypeTarget> targets() {
        return List.of(TypeTarget.named(CONNECTION).carriesContext()
            .advice(JedisCommandAdvice.class, MethodSelector.named("executeCommand").parameterTypes(COMMAND_OBJECT)
                .or(MethodSelector.named("executeCommand").parameterTypes(COMMAND_ARGUMENTS)))
            .advice(JedisSendAdvice.class, MethodSelector.named("sendCommand").parameterTypes(COMMAND_ARGUMENTS))
            .advice(JedisRepliesAdvice.class, MethodSelector.named("getMany").parameters(1)
                .or(MethodSelector.named("readProtocolWithCheckingBroken").parameters(0))));
    }
}
