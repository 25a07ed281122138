package dev.plume.instrumentation.lettuce;

import dev.plume.instrumentation.LibraryInstrumentation;
import dev.plume.instrumentation.MethodSelector;
import dev.plume.instrumentation.TypeTarget;

import java.util.List;

/**
 * Lettuce 6 and 7: every command of a connection, from the sync, async and reactive APIs alike, is handed to
 * {@code RedisChannelHandler#dispatch}; its span starts there (under the caller's context, not made current) and ends
 * when Lettuce completes the command, on the event loop. The connection's server and first database are read from the
 * {@code RedisURI} it was opened with ({@code ConnectionState#apply}), kept in the agent's field of its state.
 */
public final class LettuceInstrumentation implements LibraryInstrumentation {
    private static final String REDIS_COMMAND = "io.lettuce.core.protocol.RedisCommand";

    @Override
    public String name() {
        return "lettuce";
    }

    @Override
    public List<TypeTarget> targets() {
        return List.of(
            TypeTarget.subtypesOf("io.lettuce.core.RedisChannelHandler").carriesContext()
                .advice(LettuceDispatchAdvice.class,
                    MethodSelector.named("dispatch").parameterTypes(REDIS_COMMAND)),
            TypeTarget.named("io.lettuce.core.ConnectionState").carriesContext()
                .advice(LettuceConnectedAdvice.class,
                    MethodSelector.named("apply").parameterTypes("io.lettuce.core.RedisURI")));
    }
}
