package dev.plume.instrumentation.jdbc;

import dev.plume.bootstrap.db.DbConnectionInfo;
import dev.plume.bootstrap.db.DbSpans;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import net.bytebuddy.asm.Advice;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Inlined into {@code Statement#executeBatch()} and {@code executeLargeBatch()}: one CLIENT span for the batch, with its size. The outermost JDBC call on the thread makes the span (a pool's
 * proxy statement calls the driver's); the connection's URL is read once and kept on the connection.
 */
public final class JdbcBatchAdvice {
    private JdbcBatchAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static SpanSlot enter(@Advice.This Statement statement) throws SQLException {
        if (Tracer.enterCall(InstrumentationScope.JDBC) > 0) {
            return null;
        }
        Connection connection = statement.getConnection();
        DbConnectionInfo db = DbSpans.known(connection);
        if (db == null) {
            db = DbSpans.remember(connection, connection.getMetaData().getURL());
        }
        return DbSpans.startBatch(InstrumentationScope.JDBC, db, statement);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter SpanSlot span, @Advice.Thrown Throwable error) {
        DbSpans.exitCall(InstrumentationScope.JDBC, span, error);
    }
}
