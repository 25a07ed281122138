package dev.plume.bootstrap;

import java.io.PrintStream;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The agent's own tiny logger: one line per message on stderr, prefixed with {@code plume}, rate-limited per key, and
 * redacted ({@link Redaction}).
 */
public final class PlumeLog {
    private static final long RATE_LIMIT_NANOS = 60_000_000_000L;
    private static final ConcurrentHashMap<String, long[]> LAST_BY_KEY = new ConcurrentHashMap<>();
    private static volatile boolean debug = Boolean.getBoolean("plume.debug");
    private static volatile PrintStream out = System.err;
    /** {@link #warn} as a consumer (a class, not a method reference: it is used in premain, where lambdas cost). */
    public static final Consumer<String> WARNINGS = new Consumer<>() {
        @Override
        public void accept(String message) {
            warn(message);
        }
    };

    private PlumeLog() {
    }

    public static void info(String message) {
        print("INFO", message);
    }

    public static void warn(String message) {
        print("WARN", message);
    }

    public static void error(String message) {
        print("ERROR", message);
    }

    public static void debug(String message) {
        if (debug) {
            print("DEBUG", message);
        }
    }

    public static boolean isDebug() {
        return debug;
    }

    public static void setDebug(boolean enabled) {
        debug = enabled;
    }

    /** Logs at most one line per key a minute; the next line says how many were suppressed meanwhile. */
    public static void warnRateLimited(String key, String message) {
        long now = System.nanoTime();
        long[] state = LAST_BY_KEY.computeIfAbsent(key, k -> new long[] {now - RATE_LIMIT_NANOS, 0});
        String line = null;
        synchronized (state) {
            if (now - state[0] >= RATE_LIMIT_NANOS) {
                long suppressed = state[1];
                state[0] = now;
                state[1] = 0;
                line = suppressed == 0 ? message : message + " (" + suppressed + " similar messages suppressed)";
            } else {
                state[1]++;
            }
        }
        if (line != null) {
            warn(line);
        }
    }

    /**
     * For tests: capture the agent's log lines. The rate limits start afresh, so a test sees its own first warning
     * even when an earlier test's server had the same port (the same rate-limit key).
     */
    public static void redirect(PrintStream stream) {
        out = stream;
        LAST_BY_KEY.clear();
    }

    /**
     * Every line passes the one redaction rule on its way out: a URL's user information, query values and credentials
     * in an {@code Authorization}-style value never reach stderr, whoever built the message.
     */
    private static void print(String level, String message) {
        out.println("plume " + level + " " + Redaction.text(message));
    }
}
