package dev.plume.export.otlp;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.config.PlumeConfig;
import okhttp3.HttpUrl;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code otel.exporter.otlp.*} settings for traces (each {@code .traces.} key overrides its general sibling) and
 * Plume's own delivery settings ({@code plume.exporter.*}).
 *
 * @param grpc          OTLP/gRPC ({@code protocol=grpc}) rather than OTLP/HTTP with protobuf
 * @param url           the traces URL, or null when the endpoint is malformed (spans are then dropped and counted)
 * @param headers       request headers; the values may be secrets and are never logged
 * @param gzip          whether request bodies are gzip-compressed
 * @param timeoutMillis the longest one export request may take
 * @param tls           the configured TLS files (all null: the JDK's defaults)
 * @param delivery      in-flight bound, queue bounds and retry policy
 */
public record OtlpExporterSettings(boolean grpc, HttpUrl url, Map<String, String> headers, boolean gzip,
                                   long timeoutMillis, TlsFiles tls, Delivery delivery) {
    static final String ENDPOINT = "otel.exporter.otlp.endpoint";
    static final String TRACES_ENDPOINT = "otel.exporter.otlp.traces.endpoint";
    static final String HEADERS = "otel.exporter.otlp.headers";
    static final String TRACES_HEADERS = "otel.exporter.otlp.traces.headers";
    static final String COMPRESSION = "otel.exporter.otlp.compression";
    static final String TRACES_COMPRESSION = "otel.exporter.otlp.traces.compression";
    static final String TIMEOUT = "otel.exporter.otlp.timeout";
    static final String TRACES_TIMEOUT = "otel.exporter.otlp.traces.timeout";
    static final String PROTOCOL = "otel.exporter.otlp.protocol";
    static final String TRACES_PROTOCOL = "otel.exporter.otlp.traces.protocol";
    static final String CERTIFICATE = "otel.exporter.otlp.certificate";
    static final String CLIENT_KEY = "otel.exporter.otlp.client.key";
    static final String CLIENT_CERTIFICATE = "otel.exporter.otlp.client.certificate";
    static final String MAX_IN_FLIGHT = "plume.exporter.max.in.flight";
    static final String QUEUE_SIZE = "plume.exporter.queue.size";
    static final String QUEUE_BATCHES = "plume.exporter.queue.batches";
    static final String RETRY_MAX_ATTEMPTS = "plume.exporter.retry.max.attempts";
    static final String RETRY_INITIAL_BACKOFF = "plume.exporter.retry.initial.backoff";
    static final String RETRY_MAX_BACKOFF = "plume.exporter.retry.max.backoff";
    static final long DEFAULT_TIMEOUT_MILLIS = 10_000;
    static final String HTTP_PROTOBUF = "http/protobuf";
    static final String GRPC = "grpc";

    /**
     * The TLS files and the keys they came from (for the log line when one is unusable).
     *
     * @param certificate       trusted CA certificates (PEM), or null
     * @param clientKey         the client's private key (PKCS#8 PEM), or null
     * @param clientCertificate the client's certificate chain (PEM), or null
     */
    public record TlsFiles(String certificate, String certificateKey, String clientKey, String clientKeyKey,
                           String clientCertificate, String clientCertificateKey) {
        static TlsFiles none() {
            return new TlsFiles(null, CERTIFICATE, null, CLIENT_KEY, null, CLIENT_CERTIFICATE);
        }
    }

    /**
     * How batches wait and are retried.
     *
     * @param maxInFlight         export requests running at once ({@value #MAX_IN_FLIGHT}, default 2)
     * @param queueMaxBytes       encoded batches kept waiting, in bytes ({@value #QUEUE_SIZE}, default 16 MiB)
     * @param queueMaxBatches     encoded batches kept waiting ({@value #QUEUE_BATCHES}, default 256)
     * @param maxAttempts         attempts per batch that reached the backend or timed out (default 5)
     * @param initialBackoffMillis the first retry delay (default 1 s), growing 1.5 times per failure
     * @param maxBackoffMillis    the longest computed retry delay (default 5 s)
     */
    public record Delivery(int maxInFlight, long queueMaxBytes, int queueMaxBatches, int maxAttempts,
                           long initialBackoffMillis, long maxBackoffMillis) {
        static Delivery defaults() {
            return new Delivery(2, 16L << 20, 256, 5, 1000, 5000);
        }
    }

    public OtlpExporterSettings {
        headers = Map.copyOf(headers);
    }

    /** Reads the settings; every problem is one log line naming the key and what is used instead. */
    public static OtlpExporterSettings from(PlumeConfig config) {
        boolean grpc = protocol(config);
        HttpUrl url = url(config, grpc);
        Map<String, String> headers = new LinkedHashMap<>(config.getMap(HEADERS, true));
        headers.putAll(config.getMap(TRACES_HEADERS, true));
        String compressionKey = traces(config, COMPRESSION, TRACES_COMPRESSION);
        boolean gzip = config.getChoice(compressionKey, "none", Set.of("gzip", "none")).equals("gzip");
        String timeoutKey = traces(config, TIMEOUT, TRACES_TIMEOUT);
        long timeout = positiveDuration(config, timeoutKey, DEFAULT_TIMEOUT_MILLIS);
        String certificateKey = traces(config, CERTIFICATE, tracesKey(CERTIFICATE));
        String clientKeyKey = traces(config, CLIENT_KEY, tracesKey(CLIENT_KEY));
        String clientCertificateKey = traces(config, CLIENT_CERTIFICATE, tracesKey(CLIENT_CERTIFICATE));
        TlsFiles tls = new TlsFiles(blankToNull(config.getRaw(certificateKey)), certificateKey,
            blankToNull(config.getRaw(clientKeyKey)), clientKeyKey,
            blankToNull(config.getRaw(clientCertificateKey)), clientCertificateKey);
        Delivery defaults = Delivery.defaults();
        long initialBackoff = positiveDuration(config, RETRY_INITIAL_BACKOFF, defaults.initialBackoffMillis());
        Delivery delivery = new Delivery(
            config.getInt(MAX_IN_FLIGHT, defaults.maxInFlight(), 1, 64),
            config.getBytes(QUEUE_SIZE, defaults.queueMaxBytes(), 64L << 10, 1L << 31),
            config.getInt(QUEUE_BATCHES, defaults.queueMaxBatches(), 1, 1 << 16),
            config.getInt(RETRY_MAX_ATTEMPTS, defaults.maxAttempts(), 1, 1000),
            initialBackoff,
            Math.max(initialBackoff, positiveDuration(config, RETRY_MAX_BACKOFF, defaults.maxBackoffMillis())));
        return new OtlpExporterSettings(grpc, url, headers, gzip, timeout, tls, delivery);
    }

    private static String tracesKey(String generalKey) {
        return generalKey.replace("otel.exporter.otlp.", "otel.exporter.otlp.traces.");
    }

    private static String traces(PlumeConfig config, String generalKey, String tracesKey) {
        return config.getRaw(tracesKey) != null ? tracesKey : generalKey;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static long positiveDuration(PlumeConfig config, String key, long defaultMillis) {
        long value = config.getDurationMillis(key, defaultMillis);
        if (value <= 0) {
            config.invalid(key, config.getRaw(key), "a duration above zero", defaultMillis + " ms");
            return defaultMillis;
        }
        return value;
    }

    /**
     * OTLP/gRPC sends to the endpoint as it is (the default is port 4317); OTLP/HTTP appends {@code v1/traces} to the
     * general endpoint (the default is port 4318).
     */
    private static HttpUrl url(PlumeConfig config, boolean grpc) {
        String tracesEndpoint = config.getRaw(TRACES_ENDPOINT);
        String key = tracesEndpoint != null ? TRACES_ENDPOINT : ENDPOINT;
        String defaultEndpoint = grpc ? OtlpEndpoint.DEFAULT_GRPC_ENDPOINT : OtlpEndpoint.DEFAULT_ENDPOINT;
        String value = tracesEndpoint != null ? tracesEndpoint : config.getString(ENDPOINT, defaultEndpoint);
        HttpUrl url = tracesEndpoint != null || grpc
            ? OtlpEndpoint.fromTracesEndpoint(value)
            : OtlpEndpoint.fromBaseEndpoint(value);
        if (url == null) {
            config.invalid(key, value, "an http:// or https:// URL such as " + defaultEndpoint,
                "no endpoint: spans are dropped and counted, the application is unaffected");
        }
        return url;
    }

    /** OTLP/HTTP with protobuf (the default) or OTLP/gRPC; http/json is reported once and replaced by protobuf. */
    private static boolean protocol(PlumeConfig config) {
        String key = traces(config, PROTOCOL, TRACES_PROTOCOL);
        String raw = config.getRaw(key);
        if (raw == null) {
            return false;
        }
        switch (raw.trim().toLowerCase(Locale.ROOT)) {
            case HTTP_PROTOBUF -> {
                return false;
            }
            case GRPC -> {
                return true;
            }
            case "http/json" -> {
                PlumeLog.warn(key + "=http/json is not supported; exporting with " + HTTP_PROTOBUF + " instead");
                return false;
            }
            default -> {
                config.invalid(key, raw, "grpc, http/protobuf or http/json", HTTP_PROTOBUF);
                return false;
            }
        }
    }
}
