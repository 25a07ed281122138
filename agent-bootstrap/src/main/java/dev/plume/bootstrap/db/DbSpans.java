package dev.plume.bootstrap.db;

import dev.plume.bootstrap.context.ContextCarrier;
import dev.plume.bootstrap.trace.AttributeKey;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.StatusCode;
import dev.plume.bootstrap.trace.Tracer;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * CLIENT spans for database calls under the stable database conventions, from what any SQL client library can give:
 * the connection's URL (once per connection), the query text, a batch size and the failure. Per-object facts live in
 * the field the agent adds to connection and statement classes ({@link ContextCarrier}): a connection carries its
 * {@link DbConnectionInfo}, a statement its {@link StatementState}. Objects of classes loaded before the agent have no
 * field: such a connection's facts are kept in a weak map, such a statement's spans have no query text.
 */
public final class DbSpans {
    // shared with RedisSpans: every database client's spans use the same keys
    static final AttributeKey DB_SYSTEM_NAME = AttributeKey.of("db.system.name");
    static final AttributeKey DB_NAMESPACE = AttributeKey.of("db.namespace");
    static final AttributeKey DB_QUERY_TEXT = AttributeKey.of("db.query.text");
    static final AttributeKey DB_OPERATION_NAME = AttributeKey.of("db.operation.name");
    private static final AttributeKey DB_COLLECTION_NAME = AttributeKey.of("db.collection.name");
    static final AttributeKey DB_OPERATION_BATCH_SIZE = AttributeKey.of("db.operation.batch.size");
    static final AttributeKey DB_RESPONSE_STATUS_CODE = AttributeKey.of("db.response.status_code");
    static final AttributeKey SERVER_ADDRESS = AttributeKey.of("server.address");
    static final AttributeKey SERVER_PORT = AttributeKey.of("server.port");
    static final AttributeKey ERROR_TYPE = AttributeKey.of("error.type");
    // the names before the stable conventions, for otel.semconv-stability.opt-in=database/dup
    static final AttributeKey OLD_DB_SYSTEM = AttributeKey.of("db.system");
    static final AttributeKey OLD_DB_STATEMENT = AttributeKey.of("db.statement");
    private static final AttributeKey OLD_DB_NAME = AttributeKey.of("db.name");
    static final AttributeKey OLD_DB_OPERATION = AttributeKey.of("db.operation");
    private static final AttributeKey OLD_DB_SQL_TABLE = AttributeKey.of("db.sql.table");

    /** Facts of connections whose class got no field (loaded before the agent), so the URL is still read once. */
    private static final Map<Object, DbConnectionInfo> WITHOUT_FIELD = new WeakHashMap<>();

    private static volatile boolean sanitize = true;
    private static volatile boolean duplicateOlderNames;

    private DbSpans() {
    }

    /** {@code otel.instrumentation.common.db-statement-sanitizer.enabled}. */
    public static void sanitize(boolean enabled) {
        sanitize = enabled;
    }

    /** {@code otel.semconv-stability.opt-in=database/dup}: the older attribute names too. */
    public static void duplicateOlderNames(boolean enabled) {
        duplicateOlderNames = enabled;
    }

    /** Whether query texts are sanitized (every database client's spans follow the one switch). */
    public static boolean sanitizing() {
        return sanitize;
    }

    /** Whether the older attribute names are written too. */
    public static boolean duplicatingOlderNames() {
        return duplicateOlderNames;
    }

    /** The connection's facts if it carries them already; null when they must be read ({@link #remember}). */
    public static DbConnectionInfo known(Object connection) {
        if (connection instanceof ContextCarrier) {
            Object carried = ((ContextCarrier) connection).plume$getContext();
            return carried instanceof DbConnectionInfo ? (DbConnectionInfo) carried : null;
        }
        synchronized (WITHOUT_FIELD) {
            return WITHOUT_FIELD.get(connection);
        }
    }

    /** Parses the connection's URL and keeps the result on it (or, without the field, in a weak map). */
    public static DbConnectionInfo remember(Object connection, String url) {
        DbConnectionInfo info = DbConnectionInfo.fromUrl(url);
        if (connection instanceof ContextCarrier) {
            ((ContextCarrier) connection).plume$setContext(info);
        } else if (connection != null) {
            synchronized (WITHOUT_FIELD) {
                WITHOUT_FIELD.put(connection, info);
            }
        }
        return info;
    }

    /** A statement was prepared from {@code sql}: its executions report that query. */
    public static void prepared(Object statement, String sql) {
        if (sql != null && statement instanceof ContextCarrier) {
            StatementState state = state(statement);
            if (state != null) {
                state.prepared(sql);
            }
        }
    }

    /** {@code addBatch()} of a prepared statement, or {@code addBatch(sql)} of a plain one (then {@code sql} not null). */
    public static void addBatch(Object statement, String sql) {
        StatementState state = state(statement);
        if (state != null) {
            state.addBatch(sql);
        }
    }

    /** {@code clearBatch()}. */
    public static void clearBatch(Object statement) {
        StatementState state = state(statement);
        if (state != null) {
            state.clearBatch();
        }
    }

    /** The state a statement carries, made on first use; null for a statement without the field. */
    private static StatementState state(Object statement) {
        if (!(statement instanceof ContextCarrier)) {
            return null;
        }
        ContextCarrier carrier = (ContextCarrier) statement;
        Object carried = carrier.plume$getContext();
        if (carried instanceof StatementState) {
            return (StatementState) carried;
        }
        StatementState state = new StatementState();
        carrier.plume$setContext(state);
        return state;
    }

    /** Starts the span of {@code execute*(sql)} on a statement: the query is the argument. */
    public static SpanSlot startQuery(int scopeId, DbConnectionInfo db, String sql) {
        return start(scopeId, db, query(db, sql), 0);
    }

    /** Starts the span of a prepared statement's {@code execute*()}: the query is the prepared one. */
    public static SpanSlot startPrepared(int scopeId, DbConnectionInfo db, Object statement) {
        StatementState state = statement instanceof ContextCarrier ? existingState(statement) : null;
        return start(scopeId, db, state == null ? null : query(db, state.preparedSql), 0);
    }

    /**
     * Starts the span of {@code executeBatch()}: a prepared statement's query with its batch size, or the queries
     * added to a plain statement (one text when they are the same query, else each, and the operation {@code BATCH}).
     * The batch is cleared, as the driver clears it.
     */
    public static SpanSlot startBatch(int scopeId, DbConnectionInfo db, Object statement) {
        StatementState state = existingState(statement);
        if (state == null) {
            return start(scopeId, db, null, 0);
        }
        int size = state.batchSize;
        SqlQuery query;
        if (state.batchSql == null) {
            query = query(db, state.preparedSql);
        } else if (state.batchSameText) {
            query = query(db, state.batchSql[0]);
        } else {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < state.batchSqlCount; i++) {
                SqlQuery one = query(db, state.batchSql[i]);
                text.append(i == 0 ? "" : "; ").append(one.text());
            }
            query = new SqlQuery(text.toString(), "BATCH", null);
        }
        state.clearBatch();
        return start(scopeId, db, query, size);
    }

    private static StatementState existingState(Object statement) {
        if (statement instanceof ContextCarrier) {
            Object carried = ((ContextCarrier) statement).plume$getContext();
            return carried instanceof StatementState ? (StatementState) carried : null;
        }
        return null;
    }

    private static SqlQuery query(DbConnectionInfo db, String sql) {
        if (sql == null) {
            return null;
        }
        return sanitize ? SqlQuery.of(sql, db.doubleQuotedAreStrings()) : SqlQuery.unsanitized(sql);
    }

    private static SpanSlot start(int scopeId, DbConnectionInfo db, SqlQuery query, int batchSize) {
        String operation = query == null ? null : query.operation();
        if (operation != null && batchSize > 1 && !operation.equals("BATCH")) {
            operation = "BATCH " + operation;
        }
        String collection = query == null ? null : query.collection();
        String target = collection != null ? collection : db.namespace();
        String name = operation != null ? operation : target != null ? target : db.system();
        SpanSlot span = Tracer.startSpan(scopeId, SpanKind.CLIENT, name, operation != null ? target : null);
        if (span == null || !span.isRecording()) {
            return span;
        }
        span.setAttribute(DB_SYSTEM_NAME, db.system());
        if (db.namespace() != null) {
            span.setAttribute(DB_NAMESPACE, db.namespace());
        }
        if (query != null) {
            span.setAttribute(DB_QUERY_TEXT, query.text());
            if (operation != null) {
                span.setAttribute(DB_OPERATION_NAME, operation);
            }
            if (collection != null) {
                span.setAttribute(DB_COLLECTION_NAME, collection);
            }
        }
        if (batchSize > 1) {
            span.setAttribute(DB_OPERATION_BATCH_SIZE, (long) batchSize);
        }
        if (duplicateOlderNames) {
            setOlderNames(span, db, query, operation, collection);
        }
        if (db.host() != null) {
            span.setAttribute(SERVER_ADDRESS, db.host());
            if (db.port() > 0) {
                span.setAttribute(SERVER_PORT, (long) db.port());
            }
        }
        return span;
    }

    private static void setOlderNames(SpanSlot span, DbConnectionInfo db, SqlQuery query, String operation,
                                      String collection) {
        // db.system's older values differ where the stable names were changed
        String system = switch (db.system()) {
            case "microsoft.sql_server" -> "mssql";
            case "oracle.db" -> "oracle";
            case "ibm.db2" -> "db2";
            default -> db.system();
        };
        span.setAttribute(OLD_DB_SYSTEM, system);
        if (db.namespace() != null) {
            span.setAttribute(OLD_DB_NAME, db.namespace());
        }
        if (query != null) {
            span.setAttribute(OLD_DB_STATEMENT, query.text());
            if (operation != null) {
                span.setAttribute(OLD_DB_OPERATION, operation);
            }
            if (collection != null) {
                span.setAttribute(OLD_DB_SQL_TABLE, collection);
            }
        }
    }

    /**
     * What every JDBC execute advice does on exit: ends its span (if it made one), with the failure's status code,
     * and leaves the call.
     */
    public static void exitCall(int scopeId, SpanSlot span, Throwable error) {
        try {
            if (span != null) {
                end(span, error, error == null ? null : sqlStatusCode(error));
            }
        } finally {
            Tracer.exitCall(scopeId);
        }
    }

    private static volatile Method sqlState;
    private static volatile Method vendorCode;

    /**
     * A {@code java.sql.SQLException}'s SQLSTATE, or its vendor code when it has none; null for anything else. Read
     * reflectively: the bootstrap loader cannot see {@code java.sql}. Only a failed call pays it.
     */
    static String sqlStatusCode(Throwable error) {
        for (Class<?> type = error.getClass(); type != null; type = type.getSuperclass()) {
            if (!type.getName().equals("java.sql.SQLException")) {
                continue;
            }
            try {
                Method state = sqlState;
                Method code = vendorCode;
                if (state == null || code == null) {
                    state = type.getMethod("getSQLState");
                    code = type.getMethod("getErrorCode");
                    sqlState = state;
                    vendorCode = code;
                }
                String value = (String) state.invoke(error);
                int vendor = (Integer) code.invoke(error);
                return value != null ? value : vendor != 0 ? Integer.toString(vendor) : null;
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
        return null;
    }

    /**
     * Ends a database span; a failure makes it an error, with {@code error.type} its class and, for a database's own
     * error, {@code db.response.status_code} its code (the SQLSTATE, or the vendor code when there is none).
     */
    public static void end(SpanSlot span, Throwable error, String statusCode) {
        try {
            if (error != null && span.isRecording()) {
                span.setAttribute(ERROR_TYPE, error.getClass().getName());
                if (statusCode != null && !statusCode.isEmpty()) {
                    span.setAttribute(DB_RESPONSE_STATUS_CODE, statusCode);
                }
                // a database's messages quote the query, literals included: kept only when sanitizing is off
                boolean messages = !sanitize;
                span.setStatus(StatusCode.ERROR, messages ? error.getMessage() : null);
                span.recordException(error, messages);
            }
        } finally {
            span.end();
        }
    }

    /** What a statement carries: the SQL it was prepared with, and the batch being built. */
    static final class StatementState {
        private static final int MAX_BATCH_TEXTS = 16;
        String preparedSql;
        int batchSize;
        String[] batchSql;
        int batchSqlCount;
        boolean batchSameText = true;

        void prepared(String sql) {
            preparedSql = sql;
        }

        void addBatch(String sql) {
            batchSize++;
            if (sql == null) {
                return;
            }
            if (batchSql == null) {
                batchSql = new String[MAX_BATCH_TEXTS];
            }
            if (batchSqlCount > 0 && !sql.equals(batchSql[0])) {
                batchSameText = false;
            }
            boolean seen = false;
            for (int i = 0; i < batchSqlCount; i++) {
                seen |= batchSql[i].equals(sql);
            }
            if (!seen && batchSqlCount < MAX_BATCH_TEXTS) {
                batchSql[batchSqlCount++] = sql;
            }
        }

        void clearBatch() {
            batchSize = 0;
            batchSql = null;
            batchSqlCount = 0;
            batchSameText = true;
        }
    }
}
