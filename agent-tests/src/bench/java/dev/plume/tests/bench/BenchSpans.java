package dev.plume.tests.bench;

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

    private BenchSpans() {
    }

    /** Sets the first {@code count} attributes: strings, and longs where the convention says a number. */
    static void addAttributes(SpanSlot span, int count) {
        for (int i = 0; i < count; i++) {
            String value = STRING_VALUES[i];
            if (value.isEmpty()) {
                span.setAttribute(KEYS[i], (long) (200 + i));
            } else {
                span.setAttribute(KEYS[i], value);
            }
        }
    }
}
