package dev.plume.bootstrap.db;

import dev.plume.bootstrap.context.ContextCarrier;
import dev.plume.bootstrap.trace.AttributeKey;
import dev.plume.bootstrap.trace.EpochClock;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.StatusCode;
import dev.plume.bootstrap.trace.Tracer;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CLIENT spans for Redis commands under the database conventions: {@code db.system.name=redis}, the command as
 * {@code db.operation.name} and span name, {@code db.query.text} from {@link RedisCommands}, the database index the
 * connection selected as {@code db.namespace}, the server's address, and for a Redis error reply its prefix as
 * {@code db.response.status_code}. Commands a client pipelines (sent without waiting for their replies) make one span
 * when their replies are read: {@code PIPELINE} (or {@code MULTI} for a transaction), or {@code PIPELINE SET} when
 * every command is the same, with {@code db.operation.batch.size}.
 *
 * <p>Per connection (in the agent's field of the connection class, or a weak map for a class loaded before the
 * agent): the server's address, the selected database, and the commands sent but not yet answered.
 */
public final class RedisSpans {
    // the database keys are DbSpans's; this one is Redis's own
    private static final AttributeKey OLD_DB_REDIS_DATABASE_INDEX = AttributeKey.of("db.redis.database_index");
    private static final String SYSTEM = "redis";
    /** Texts kept of a pipeline's commands (its span says how many there were). */
    private static final int MAX_PIPELINE_TEXTS = 16;
    private static final int MAX_NAMES = 1024;

    private static final Map<Object, String> NAMES = new ConcurrentHashMap<>();
    private static final Map<Object, Connection> WITHOUT_FIELD = new WeakHashMap<>();
    private static final Map<Class<?>, Field> SOCKET_FACTORY_FIELDS = new ConcurrentHashMap<>();

    private RedisSpans() {
    }

    /**
     * The upper-case name of a client's command object (an enum constant, usually), read from its bytes once per
     * object.
     */
    public static String commandName(Object command, byte[] raw) {
        String name = NAMES.get(command);
        if (name == null) {
            name = RedisCommands.name(raw);
            if (NAMES.size() < MAX_NAMES) {
                NAMES.put(command, name);
            }
        }
        return name;
    }

    /**
     * Starts the span of one command on {@code connection}; {@code args} holds the command's arguments from index 1
     * (index 0 is the command itself, as clients keep it).
     */
    public static SpanSlot startCommand(int scopeId, Object connection, String name, byte[][] args) {
        Connection state = state(connection);
        if ("SELECT".equals(name)) {
            state.select(args);
        }
        SpanSlot span = Tracer.startSpan(scopeId, SpanKind.CLIENT, name, null);
        if (span != null && span.isRecording()) {
            String text = RedisCommands.text(name, RedisCommands.of(args, 1), DbSpans.sanitizing());
            describe(span, state, name, text, 0);
        }
        return span;
    }

    /**
     * A command was written to {@code connection}. Outside a traced command ({@code queued}), it is pipelined: its
     * reply is read later, and its span is the pipeline's. A {@code SELECT} changes the connection's database either way.
     */
    public static void sent(Object connection, String name, byte[][] args, boolean queued) {
        if (!queued && !"SELECT".equals(name)) {
            return;
        }
        Connection state = state(connection);
        if ("SELECT".equals(name)) {
            state.select(args);
        }
        if (queued) {
            state.queue(name, RedisCommands.text(name, RedisCommands.of(args, 1), DbSpans.sanitizing()));
        }
    }

    /**
     * What a client said when it connected ({@code holder} is the object that stands for the connection in later
     * calls): the server, and the database it selects first.
     */
    public static void connectedTo(Object holder, String host, int port, int database) {
        Connection state = state(holder);
        state.host = host;
        state.port = port;
        state.database = Integer.toString(database);
    }

    /**
     * Starts the span of a command that completes on another thread (an asynchronous client's): not made current, and
     * ended by the returned callback when the client completes the command ({@code BiConsumer} of result and
     * failure). {@code encodedArgs} are the command's arguments as the client writes them (RESP bulk strings), or null.
     */
    public static AsyncEnd startAsyncCommand(int scopeId, Object holder, String name,
                                             java.nio.ByteBuffer encodedArgs) {
        Connection state = state(holder);
        RedisCommands.Arguments args = RedisCommands.bulkStrings(encodedArgs);
        if ("SELECT".equals(name) && args.count() > 0) {
            state.select(args.bytes(0));
        }
        SpanSlot span = Tracer.startDetachedSpan(scopeId, SpanKind.CLIENT, name, null);
        if (span == null) {
            return null;
        }
        if (span.isRecording()) {
            describe(span, state, name, RedisCommands.text(name, args, DbSpans.sanitizing()), 0);
        }
        return new AsyncEnd(span);
    }

    /** Ends an asynchronous command's span once, whichever of the client's completion and a failure comes first. */
    public static final class AsyncEnd implements java.util.function.BiConsumer<Object, Throwable> {
        private final java.util.concurrent.atomic.AtomicReference<SpanSlot> span;

        AsyncEnd(SpanSlot span) {
            this.span = new java.util.concurrent.atomic.AtomicReference<>(span);
        }

        @Override
        public void accept(Object result, Throwable error) {
            SpanSlot open = span.getAndSet(null);
            if (open != null) {
                end(open, error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error);
            }
        }
    }

    /** Whether commands were sent on this connection whose replies were not read yet. */
    public static boolean hasPending(Object connection) {
        Connection state = existing(connection);
        return state != null && state.pendingCount > 0;
    }

    /**
     * Starts the span of the pipelined commands whose replies are about to be read (it began when the first was
     * sent), and forgets them.
     */
    public static SpanSlot startPending(int scopeId, Object connection) {
        Connection state = state(connection);
        int count = state.pendingCount;
        if (count == 0) {
            return null;
        }
        String operation;
        String text;
        int batch;
        if (count == 1) {
            operation = state.pendingFirst;
            text = state.pendingTexts[0];
            batch = 0;
        } else {
            boolean multi = "MULTI".equals(state.pendingFirst);
            String prefix = multi ? "MULTI" : "PIPELINE";
            // a transaction's span counts the commands inside it, not MULTI itself
            batch = multi ? count - 1 : count;
            String same = multi ? state.pendingSecond : state.pendingFirst;
            boolean allSame = multi ? state.pendingSameAfterFirst : state.pendingSame;
            operation = allSame && same != null ? prefix + " " + same : prefix;
            StringBuilder joined = new StringBuilder();
            int kept = Math.min(count, MAX_PIPELINE_TEXTS);
            for (int i = 0; i < kept && joined.length() < RedisCommands.MAX_TEXT; i++) {
                joined.append(i == 0 ? "" : "; ").append(state.pendingTexts[i]);
            }
            if (kept < count) {
                joined.append("; ...");
            }
            text = joined.length() > RedisCommands.MAX_TEXT ? joined.substring(0, RedisCommands.MAX_TEXT)
                : joined.toString();
        }
        long started = state.pendingSinceEpochNanos;
        state.clearPending();
        SpanSlot span = Tracer.startSpan(scopeId, SpanKind.CLIENT, operation, null, started);
        if (span != null && span.isRecording()) {
            describe(span, state, operation, text, batch);
        }
        return span;
    }

    /** What every Redis advice does on exit: ends its span (if it made one) and leaves the call. */
    public static void exitCall(int scopeId, SpanSlot span, Throwable error) {
        try {
            if (span != null) {
                end(span, error);
            }
        } finally {
            Tracer.exitCall(scopeId);
        }
    }

    /** Ends a Redis span; a failure makes it an error, with the Redis error prefix as the status code. */
    public static void end(SpanSlot span, Throwable error) {
        try {
            if (error != null && span.isRecording()) {
                span.setAttribute(DbSpans.ERROR_TYPE, error.getClass().getName());
                String prefix = RedisCommands.errorPrefix(error.getMessage());
                if (prefix != null) {
                    span.setAttribute(DbSpans.DB_RESPONSE_STATUS_CODE, prefix);
                }
                // Redis quotes a command's arguments in some error replies: the message stays out unless asked for
                boolean messages = !DbSpans.sanitizing();
                span.setStatus(StatusCode.ERROR, messages ? error.getMessage() : null);
                span.recordException(error, messages);
            }
        } finally {
            span.end();
        }
    }

    private static void describe(SpanSlot span, Connection state, String operation, String text, int batch) {
        span.setAttribute(DbSpans.DB_SYSTEM_NAME, SYSTEM);
        span.setAttribute(DbSpans.DB_OPERATION_NAME, operation);
        span.setAttribute(DbSpans.DB_QUERY_TEXT, text);
        if (state.database != null) {
            span.setAttribute(DbSpans.DB_NAMESPACE, state.database);
        }
        if (batch > 1) {
            span.setAttribute(DbSpans.DB_OPERATION_BATCH_SIZE, (long) batch);
        }
        if (state.host != null) {
            span.setAttribute(DbSpans.SERVER_ADDRESS, state.host);
            if (state.port > 0) {
                span.setAttribute(DbSpans.SERVER_PORT, (long) state.port);
            }
        }
        if (DbSpans.duplicatingOlderNames()) {
            span.setAttribute(DbSpans.OLD_DB_SYSTEM, SYSTEM);
            span.setAttribute(DbSpans.OLD_DB_OPERATION, operation);
            span.setAttribute(DbSpans.OLD_DB_STATEMENT, text);
            if (state.database != null) {
                try {
                    span.setAttribute(OLD_DB_REDIS_DATABASE_INDEX, Long.parseLong(state.database));
                } catch (NumberFormatException e) {
                    // not an index: the older attribute is left out
                }
            }
        }
    }

    private static Connection existing(Object connection) {
        if (connection instanceof ContextCarrier) {
            Object carried = ((ContextCarrier) connection).plume$getContext();
            return carried instanceof Connection ? (Connection) carried : null;
        }
        synchronized (WITHOUT_FIELD) {
            return WITHOUT_FIELD.get(connection);
        }
    }

    private static Connection state(Object connection) {
        Connection state = existing(connection);
        if (state != null) {
            return state;
        }
        boolean carrier = connection instanceof ContextCarrier;
        // a connection in a class with the agent's field was seen from its first command, its SELECTs included
        state = new Connection(carrier ? "0" : null);
        address(connection, state);
        if (carrier) {
            ((ContextCarrier) connection).plume$setContext(state);
        } else {
            synchronized (WITHOUT_FIELD) {
                WITHOUT_FIELD.put(connection, state);
            }
        }
        return state;
    }

    /**
     * The server a Jedis connection talks to: its {@code socketFactory} field, when that has a public
     * {@code getHostAndPort()} (Jedis's default factory), read once per connection by reflection (the connection
     * class has no public accessor). Anything else leaves the address out.
     */
    private static void address(Object connection, Connection state) {
        try {
            Field field = SOCKET_FACTORY_FIELDS.get(connection.getClass());
            if (field == null) {
                for (Class<?> type = connection.getClass(); type != null && field == null; type = type.getSuperclass()) {
                    for (Field declared : type.getDeclaredFields()) {
                        if (declared.getName().equals("socketFactory")) {
                            field = declared;
                        }
                    }
                }
                if (field == null) {
                    return;
                }
                field.setAccessible(true);
                SOCKET_FACTORY_FIELDS.put(connection.getClass(), field);
            }
            Object factory = field.get(connection);
            if (factory == null) {
                return;
            }
            Method getHostAndPort = factory.getClass().getMethod("getHostAndPort");
            Object hostAndPort = getHostAndPort.invoke(factory);
            if (hostAndPort != null) {
                state.host = (String) hostAndPort.getClass().getMethod("getHost").invoke(hostAndPort);
                state.port = (Integer) hostAndPort.getClass().getMethod("getPort").invoke(hostAndPort);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // another client's connection or factory: no address
        }
    }

    /** What Plume knows of one connection. Used by the thread that holds the connection (clients do not share one). */
    static final class Connection {
        String host;
        int port;
        String database;
        int pendingCount;
        String pendingFirst;
        String pendingSecond;
        /** Whether the second and later pending commands all have the first's name... */
        boolean pendingSame = true;
        /** ...and the second's (for a transaction, whose first is MULTI). */
        boolean pendingSameAfterFirst = true;
        long pendingSinceEpochNanos;
        final String[] pendingTexts = new String[MAX_PIPELINE_TEXTS];

        Connection(String database) {
            this.database = database;
        }

        void select(byte[][] args) {
            if (args != null && args.length > 1) {
                select(args[1]);
            }
        }

        void select(byte[] index) {
            if (index != null) {
                String text = new String(index, java.nio.charset.StandardCharsets.US_ASCII).trim();
                database = text.isEmpty() ? database : text;
            }
        }

        void queue(String name, String text) {
            if (pendingCount == 0) {
                pendingSinceEpochNanos = EpochClock.nowEpochNanos();
                pendingFirst = name;
            } else {
                if (!name.equals(pendingFirst)) {
                    pendingSame = false;
                }
                if (pendingCount == 1) {
                    pendingSecond = name;
                } else if (!name.equals(pendingSecond)) {
                    pendingSameAfterFirst = false;
                }
            }
            if (pendingCount < MAX_PIPELINE_TEXTS) {
                pendingTexts[pendingCount] = text;
            }
            pendingCount++;
        }

        void clearPending() {
            for (int i = 0; i < Math.min(pendingCount, MAX_PIPELINE_TEXTS); i++) {
                pendingTexts[i] = null;
            }
            pendingCount = 0;
            pendingFirst = null;
            pendingSecond = null;
            pendingSame = true;
            pendingSameAfterFirst = true;
        }
    }
}
