package dev.plume.bootstrap.trace;

/**
 * The instrumentation scopes spans are recorded under, as small ids in the record and names in OTLP. One constant per
 * instrumented library; advice passes the constant, the exporter writes the name.
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

    private static final String[] NAMES = {
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
    };

    private InstrumentationScope() {
    }

    public static int count() {
        return NAMES.length;
    }

    public static String name(int scopeId) {
        return scopeId >= 0 && scopeId < NAMES.length ? NAMES[scopeId] : "dev.plume.unknown";
    }
}
