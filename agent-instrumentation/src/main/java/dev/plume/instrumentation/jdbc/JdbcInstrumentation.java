package dev.plume.instrumentation.jdbc;

import dev.plume.instrumentation.LibraryInstrumentation;
import dev.plume.instrumentation.MethodSelector;
import dev.plume.instrumentation.TypeTarget;

import java.util.List;

/**
 * JDBC, any driver, found by the {@code java.sql} interfaces its classes implement: a CLIENT span for each
 * {@code Statement} / {@code PreparedStatement} / {@code CallableStatement} {@code execute*} call (the outermost one,
 * so a pool's proxy and the driver's statement under it make one span). Connections carry what their URL says,
 * statements the SQL they were prepared with and the batch being built, in the field the agent adds to their classes.
 */
public final class JdbcInstrumentation implements LibraryInstrumentation {
    private static final String STRING = "java.lang.String";
    /** Every JDBC class names a java.sql type (its interface, SQLException in its throws clauses). */
    private static final String JAVA_SQL = "java/sql/";

    /** Public methods only, on every alternative: drivers have private helpers of the same names. */
    private static MethodSelector named(String name) {
        return MethodSelector.named(name).publicOnly();
    }

    @Override
    public String name() {
        return "jdbc";
    }

    @Override
    public List<TypeTarget> targets() {
        MethodSelector withSql = named("execute").parameterTypes(STRING)
            .or(named("executeQuery").parameterTypes(STRING))
            .or(named("executeUpdate").parameterTypes(STRING))
            .or(named("executeLargeUpdate").parameterTypes(STRING));
        MethodSelector prepared = named("execute").parameters(0)
            .or(named("executeQuery").parameters(0))
            .or(named("executeUpdate").parameters(0))
            .or(named("executeLargeUpdate").parameters(0));
        MethodSelector batch = named("executeBatch").parameters(0)
            .or(named("executeLargeBatch").parameters(0));
        return List.of(
            TypeTarget.subtypesOf("java.sql.Statement").mentioning(JAVA_SQL).carriesContext()
                .advice(JdbcQueryAdvice.class, withSql)
                .advice(JdbcPreparedAdvice.class, prepared)
                .advice(JdbcBatchAdvice.class, batch)
                .advice(JdbcAddBatchAdvice.class, named("addBatch").parameters(0))
                .advice(JdbcAddBatchSqlAdvice.class,
                    named("addBatch").parameters(1).parameterTypes(STRING))
                .advice(JdbcClearBatchAdvice.class, named("clearBatch").parameters(0)),
            TypeTarget.subtypesOf("java.sql.Connection").mentioning(JAVA_SQL).carriesContext()
                .advice(JdbcPrepareAdvice.class, named("prepareStatement").parameterTypes(STRING)
                    .or(named("prepareCall").parameterTypes(STRING))));
    }
}
