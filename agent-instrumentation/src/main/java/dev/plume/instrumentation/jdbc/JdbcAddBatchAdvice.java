package dev.plume.instrumentation.jdbc;

import dev.plume.bootstrap.db.DbSpans;
import net.bytebuddy.asm.Advice;

/** Inlined into {@code PreparedStatement#addBatch()}: one more set of parameters in the batch. */
public final class JdbcAddBatchAdvice {
    private JdbcAddBatchAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This Object statement) {
        DbSpans.addBatch(statement, null);
    }
}
