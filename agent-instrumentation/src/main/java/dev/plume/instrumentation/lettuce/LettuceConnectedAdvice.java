package dev.plume.instrumentation.lettuce;

import dev.plume.bootstrap.db.RedisSpans;
import io.lettuce.core.RedisURI;
import net.bytebuddy.asm.Advice;

/** Inlined into {@code ConnectionState#apply(RedisURI)}: the connection's state keeps the server and first database. */
public final class LettuceConnectedAdvice {
    private LettuceConnectedAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This Object state, @Advice.Argument(0) RedisURI uri) {
        if (uri != null) {
            RedisSpans.connectedTo(state, uri.getHost(), uri.getPort(), uri.getDatabase());
        }
    }
}
