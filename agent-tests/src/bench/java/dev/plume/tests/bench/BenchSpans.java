package dev.plume.tests.bench;

import dev.plume.bootstrap.trace.AttributeKey;
import dev.plume.bootstrap.trace.SpanSlot;

/** The attributes benchmarks record: keys and values the application already holds, as HTTP instrumentation would. */
final class BenchSpans {

    static final String[] KEYS = {
        "http.request.method", "url.path", "url.scheme", "server.port",
        "server.address", "http.response.status_code", "network.protocol.version", "http.route",
        "user_agent.original", "client.address", "network.peer.port", "url.query",
        "app.tenant", "app.request.size", "app.region", "app.retry.count",
    };
    static final String[] STRING_VALUES = {
        "GET", "/users/42", "http", "",
        "127.0.0.1", "", "1.1", "/users/{id}",
        "bench-client/1.0", "127.0.0.1", "", "verbose=true",
        "tenant-7", "", "eu-west-1", "",
    };

    /** The same keys registered, as instrumentation declares them ({@code AttributeKey} constants). */
    static final AttributeKey[] REGISTERED_KEYS = new AttributeKey[KEYS.length];

    static {
        for (int i = 0; i < KEYS.length; i++) {
            REGISTERED_KEYS[i] = AttributeKey.of(KEYS[i]);
        }
    }

    private BenchSpans() {
    }

    /**
     * Sets the first {@code count} attributes with registered keys, as instrumentation does: strings, and longs where
     * the convention says a number.
     */
    static void addAttributes(SpanSlot span, int count) {
        addAttributes(span, count, true);
    }

    /** The same attributes with plain {@code String} keys, written into each record in full. */
    static void addAttributesWithStringKeys(SpanSlot span, int count) {
        addAttributes(span, count, false);
    }

    private static void addAttributes(SpanSlot span, int count, boolean registered) {
        for (int i = 0; i < count; i++) {
            String value = STRING_VALUES[i];
            if (value.isEmpty()) {
                long number = 200 + i;
                if (registered) {
                    span.setAttribute(REGISTERED_KEYS[i], number);
                } else {
                    span.setAttribute(KEYS[i], number);
                }
            } else if (registered) {
                span.setAttribute(REGISTERED_KEYS[i], value);
            } else {
                span.setAttribute(KEYS[i], value);
            }
        }
    }
}
