package dev.plume.instrumentation.jdbc;

import dev.plume.bootstrap.db.DbSpans;
import net.bytebuddy.asm.Advice;

/** Inlined into {@code Statement#clearBatch()}: the batch being built is gone. */
public final class JdbcClearBatchAdvice {
    private JdbcClearBatchAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This Object statement) {
        DbSpans.clearBatch(statement);
    }
}
