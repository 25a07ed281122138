package dev.plume.export.otlp;

import okhttp3.OkHttpClient;

import java.util.function.Supplier;

/**
 * A sender's OkHttp client, built when the first batch is sent rather than when the agent starts: building one sets up
 * OkHttp's platform and the JDK's default TLS (the trust store is read and parsed even for a cleartext endpoint), work
 * that otherwise competes with the application's own start-up for the CPU. Configuration errors are still reported at
 * start: the settings and TLS material are checked before this is made.
 */
final class LazyClient {
    private final Supplier<OkHttpClient> factory;
    private volatile OkHttpClient client;

    LazyClient(Supplier<OkHttpClient> factory) {
        this.factory = factory;
    }

    OkHttpClient get() {
        OkHttpClient built = client;
        if (built == null) {
            synchronized (this) {
                built = client;
                if (built == null) {
                    built = factory.get();
                    client = built;
                }
            }
        }
        return built;
    }

    /** Stops what the client started, if it was ever built. */
    void shutdown() {
        OkHttpClient built;
        synchronized (this) {
            built = client;
        }
        if (built != null) {
            OtlpHttpClient.shutdown(built);
        }
    }
}
