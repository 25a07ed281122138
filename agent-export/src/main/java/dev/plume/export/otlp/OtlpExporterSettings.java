package dev.plume.export.otlp;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.config.ConfigKey;
import dev.plume.bootstrap.config.ConfigKeys;
import dev.plume.bootstrap.config.PlumeConfig;

import java.util.LinkedHashMap;
import java.util.Map;

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
public record OtlpExporterSettings(boolean grpc, String url, Map<String, String> headers, boolean gzip,
                                   long timeoutMillis, TlsFiles tls, Delivery delivery) {
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
            return new TlsFiles(null, ConfigKeys.OTLP_CERTIFICATE.name(), null, ConfigKeys.OTLP_CLIENT_KEY.name(), null,
                ConfigKeys.OTLP_CLIENT_CERTIFICATE.name());
        }
    }

    /**
     * How batches wait and are retried.
     *
     * @param maxInFlight          export requests running at once
     * @param queueMaxBytes        encoded batches kept waiting, in bytes
     * @param queueMaxBatches      encoded batches kept waiting
     * @param maxAttempts          attempts per batch that the backend answered
     * @param initialBackoffMillis the first retry delay, growing 1.5 times per failure
     * @param maxBackoffMillis     the longest computed retry delay
     * @param spoolDir             where batches go that memory cannot keep, or null (no spool)
     * @param spoolMaxBytes        the most the spool holds
     */
    public record Delivery(int maxInFlight, long queueMaxBytes, int queueMaxBatches, int maxAttempts,
                           long initialBackoffMillis, long maxBackoffMillis, String spoolDir, long spoolMaxBytes) {
        static Delivery from(PlumeConfig config) {
            long initialBackoff = config.getDurationMillis(ConfigKeys.RETRY_INITIAL_BACKOFF);
            return new Delivery(
                config.getInt(ConfigKeys.MAX_IN_FLIGHT),
                config.getBytes(ConfigKeys.QUEUE_SIZE),
                config.getInt(ConfigKeys.QUEUE_BATCHES),
                config.getInt(ConfigKeys.RETRY_MAX_ATTEMPTS),
                initialBackoff,
                Math.max(initialBackoff, config.getDurationMillis(ConfigKeys.RETRY_MAX_BACKOFF)),
                config.getString(ConfigKeys.SPOOL_DIR),
                config.getBytes(ConfigKeys.SPOOL_SIZE));
        }
    }

    public OtlpExporterSettings {
        headers = Map.copyOf(headers);
    }

    /** Reads the settings; every problem is one log line naming the key and what is used instead. */
    public static OtlpExporterSettings from(PlumeConfig config) {
        boolean grpc = protocol(config);
        String url = url(config, grpc);
        Map<String, String> headers = new LinkedHashMap<>(config.getMap(ConfigKeys.OTLP_HEADERS));
        headers.putAll(config.getMap(ConfigKeys.OTLP_TRACES_HEADERS));
        String compression = config.getChoice(ConfigKeys.OTLP_TRACES_COMPRESSION,
            config.getChoice(ConfigKeys.OTLP_COMPRESSION));
        long timeout = config.getDurationMillis(ConfigKeys.OTLP_TRACES_TIMEOUT,
            config.getDurationMillis(ConfigKeys.OTLP_TIMEOUT));
        TlsFiles tls = new TlsFiles(
            file(config, ConfigKeys.OTLP_TRACES_CERTIFICATE, ConfigKeys.OTLP_CERTIFICATE),
            traces(config, ConfigKeys.OTLP_TRACES_CERTIFICATE, ConfigKeys.OTLP_CERTIFICATE).name(),
            file(config, ConfigKeys.OTLP_TRACES_CLIENT_KEY, ConfigKeys.OTLP_CLIENT_KEY),
            traces(config, ConfigKeys.OTLP_TRACES_CLIENT_KEY, ConfigKeys.OTLP_CLIENT_KEY).name(),
            file(config, ConfigKeys.OTLP_TRACES_CLIENT_CERTIFICATE, ConfigKeys.OTLP_CLIENT_CERTIFICATE),
            traces(config, ConfigKeys.OTLP_TRACES_CLIENT_CERTIFICATE, ConfigKeys.OTLP_CLIENT_CERTIFICATE).name());
        return new OtlpExporterSettings(grpc, url, headers, compression.equals("gzip"), timeout, tls,
            Delivery.from(config));
    }

    /** The traces-only key when it is set, else the general one. */
    private static ConfigKey traces(PlumeConfig config, ConfigKey tracesKey, ConfigKey generalKey) {
        return config.getRaw(tracesKey) != null ? tracesKey : generalKey;
    }

    private static String file(PlumeConfig config, ConfigKey tracesKey, ConfigKey generalKey) {
        return config.getRaw(traces(config, tracesKey, generalKey));
    }

    /**
     * OTLP/gRPC sends to the endpoint as it is (the default is port 4317); OTLP/HTTP appends {@code v1/traces} to the
     * general endpoint (the default is port 4318).
     */
    private static String url(PlumeConfig config, boolean grpc) {
        boolean signalSpecific = config.getRaw(ConfigKeys.OTLP_TRACES_ENDPOINT) != null;
        ConfigKey key = signalSpecific ? ConfigKeys.OTLP_TRACES_ENDPOINT : ConfigKeys.OTLP_ENDPOINT;
        String defaultEndpoint = grpc ? OtlpEndpoint.DEFAULT_GRPC_ENDPOINT : OtlpEndpoint.DEFAULT_ENDPOINT;
        String value = config.getString(key, defaultEndpoint);
        String url = signalSpecific || grpc
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
        ConfigKey key = traces(config, ConfigKeys.OTLP_TRACES_PROTOCOL, ConfigKeys.OTLP_PROTOCOL);
        switch (config.getChoice(key, HTTP_PROTOBUF)) {
            case GRPC -> {
                return true;
            }
            case "http/json" -> {
                PlumeLog.warn(key + "=http/json is not supported; exporting with " + HTTP_PROTOBUF + " instead");
                return false;
            }
            default -> {
                return false;
            }
        }
    }
}
