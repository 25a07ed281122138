package dev.plume.bootstrap.trace;

import dev.plume.bootstrap.PlumeLog;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The instrumentation scopes spans are recorded under, as small ids in the record and names in OTLP. One constant per
 * instrumented library; advice passes the constant, the exporter writes the name. Scopes named at run time (an
 * application's {@code Tracer} from the OpenTelemetry API) are {@link #register registered} and numbered after the
 * built-in ones.
 *
 * <p>Publication: registered scopes live in a copy-on-write table behind a volatile field, replaced under the class's
 * lock; an id is handed out only after the table holding it is published, and a span's record reaches the exporter
 * thread through the ring (a release/acquire pair), so the exporter always finds the scope of an id it reads.
 */
public final class InstrumentationScope {
    public static final int MANUAL = 0;
    public static final int JDK_HTTP_SERVER = 1;
    public static final int JDK_HTTP_CLIENT = 2;
    public static final int SERVLET = 3;
    public static final int JDBC = 4;
    public static final int JEDIS = 5;
    public static final int LETTUCE = 6;
    public static final int ANNOTATIONS = 7;
    public static final int METHODS = 8;
    public static final int OPENTELEMETRY_API = 9;
    public static final int HTTP_URL_CONNECTION = 10;
    public static final int OKHTTP = 11;
    public static final int APACHE_HTTP_CLIENT = 12;
    public static final int RABBITMQ = 13;
    /** Deliveries to RabbitMQ consumers: spans under {@link #RABBITMQ}, a call depth of their own (a publish inside one
     * has its span). */
    public static final int RABBITMQ_DELIVERY = 14;
    public static final int KAFKA = 15;
    public static final int SPRING_WEBFLUX = 16;

    /** At most this many scopes are registered at run time; more share {@link #OPENTELEMETRY_API}. */
    public static final int MAX_REGISTERED = 256;

    private static final String[] BUILT_IN = {
        "dev.plume.manual",
        "dev.plume.jdk-httpserver",
        "dev.plume.jdk-httpclient",
        "dev.plume.servlet",
        "dev.plume.jdbc",
        "dev.plume.jedis",
        "dev.plume.lettuce",
        "dev.plume.annotations",
        "dev.plume.methods",
        "dev.plume.opentelemetry-api",
        "dev.plume.http-url-connection",
        "dev.plume.okhttp",
        "dev.plume.apache-httpclient",
        "dev.plume.rabbitmq",
        "dev.plume.rabbitmq",
        "dev.plume.kafka",
        "dev.plume.spring-webflux",
    };

    /** Every scope by id: the built-in ones (version null), then the registered ones. Replaced, never changed. */
    private static volatile Scope[] scopes = builtIn();
    private static final ConcurrentHashMap<Scope, Integer> IDS = new ConcurrentHashMap<>();
    private static boolean warnedFull;

    private record Scope(String name, String version) {
    }

    private InstrumentationScope() {
    }

    /**
     * Registers a scope by name and version (which may be null) and returns its id; the same pair always gets the same
     * id. Null or empty names, and names beyond {@link #MAX_REGISTERED} scopes, get {@link #OPENTELEMETRY_API}.
     */
    public static int register(String name, String version) {
        if (name == null || name.isEmpty()) {
            return OPENTELEMETRY_API;
        }
        Scope scope = new Scope(name, version);
        Integer id = IDS.get(scope);
        return id != null ? id : add(scope);
    }

    private static synchronized int add(Scope scope) {
        Integer id = IDS.get(scope);
        if (id != null) {
            return id;
        }
        Scope[] table = scopes;
        if (table.length - BUILT_IN.length >= MAX_REGISTERED) {
            if (!warnedFull) {
                warnedFull = true;
                PlumeLog.warn("more than " + MAX_REGISTERED + " instrumentation scopes registered; spans of "
                    + scope.name() + " and later scopes are exported under " + name(OPENTELEMETRY_API));
            }
            return OPENTELEMETRY_API;
        }
        Scope[] grown = java.util.Arrays.copyOf(table, table.length + 1);
        grown[table.length] = scope;
        scopes = grown; // published before the id is handed out
        IDS.put(scope, table.length);
        return table.length;
    }

    /** The built-in scopes (ids {@code 0..count()-1}); registered scopes have higher ids. */
    public static int count() {
        return BUILT_IN.length;
    }

    /** Whether {@code scopeId} names a built-in or a registered scope. */
    public static boolean isKnown(int scopeId) {
        return scopeId >= 0 && scopeId < scopes.length;
    }

    public static String name(int scopeId) {
        Scope[] table = scopes;
        return scopeId >= 0 && scopeId < table.length ? table[scopeId].name() : "dev.plume.unknown";
    }

    /** The version a scope was registered with; null for built-in scopes (the agent's version) and unknown ids. */
    public static String version(int scopeId) {
        Scope[] table = scopes;
        return scopeId >= 0 && scopeId < table.length ? table[scopeId].version() : null;
    }

    private static Scope[] builtIn() {
        Scope[] table = new Scope[BUILT_IN.length];
        for (int i = 0; i < table.length; i++) {
            table[i] = new Scope(BUILT_IN[i], null);
        }
        return table;
    }
}
