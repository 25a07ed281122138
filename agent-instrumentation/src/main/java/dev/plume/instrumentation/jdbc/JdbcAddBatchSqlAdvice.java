package dev.plume.instrumentation.jdbc;

import dev.plume.bootstrap.db.DbSpans;
import net.bytebuddy.asm.Advice;

/** Inlined into {@code Statement#addBatch(String)}: one more query in the batch. */
public final class JdbcAddBatchSqlAdvice {
    private JdbcAddBatchSqlAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This Object statement, @Advice.Argument(0) String sql) {
        DbSpans.addBatch(statement, sql);
    }
}
