package dev.plume.instrumentation.jdbc;

import dev.plume.bootstrap.db.DbSpans;
import net.bytebuddy.asm.Advice;

/** Inlined into {@code Connection#prepareStatement(String, ...)} and {@code prepareCall}: the statement keeps its SQL. */
public final class JdbcPrepareAdvice {
    private JdbcPrepareAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.Argument(0) String sql, @Advice.Return Object statement) {
        DbSpans.prepared(statement, sql);
    }
}
