package dev.plume.export.otlp;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.config.PlumeConfig;
import okhttp3.HttpUrl;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code otel.exporter.otlp.*} settings for traces; each {@code .traces.} key overrides its general sibling.
 *
 * @param url           the traces URL, or null when the endpoint is malformed (spans are then dropped and counted)
 * @param headers       request headers; the values may be secrets and are never logged
 * @param gzip          whether request bodies are gzip-compressed
 * @param timeoutMillis the longest one export request may take
 */
public record OtlpExporterSettings(HttpUrl url, Map<String, String> headers, boolean gzip, long timeoutMillis) {
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
    static final long DEFAULT_TIMEOUT_MILLIS = 10_000;
    static final String HTTP_PROTOBUF = "http/protobuf";

    public OtlpExporterSettings {
        headers = Map.copyOf(headers);
    }

    /** Reads the settings; every problem is one log line naming the key and what is used instead. */
    public static OtlpExporterSettings from(PlumeConfig config) {
        HttpUrl url = url(config);
        Map<String, String> headers = new LinkedHashMap<>(config.getMap(HEADERS, true));
        headers.putAll(config.getMap(TRACES_HEADERS, true));
        String compressionKey = config.getRaw(TRACES_COMPRESSION) != null ? TRACES_COMPRESSION : COMPRESSION;
        boolean gzip = config.getChoice(compressionKey, "none", Set.of("gzip", "none")).equals("gzip");
        String timeoutKey = config.getRaw(TRACES_TIMEOUT) != null ? TRACES_TIMEOUT : TIMEOUT;
        long timeout = config.getDurationMillis(timeoutKey, DEFAULT_TIMEOUT_MILLIS);
        if (timeout <= 0) {
            config.invalid(timeoutKey, config.getRaw(timeoutKey), "a duration above zero",
                DEFAULT_TIMEOUT_MILLIS + " ms");
            timeout = DEFAULT_TIMEOUT_MILLIS;
        }
        checkProtocol(config, url);
        return new OtlpExporterSettings(url, headers, gzip, timeout);
    }

    private static HttpUrl url(PlumeConfig config) {
        String tracesEndpoint = config.getRaw(TRACES_ENDPOINT);
        String key = tracesEndpoint != null ? TRACES_ENDPOINT : ENDPOINT;
        String value = tracesEndpoint != null
            ? tracesEndpoint
            : config.getString(ENDPOINT, OtlpEndpoint.DEFAULT_ENDPOINT);
        HttpUrl url = tracesEndpoint != null
            ? OtlpEndpoint.fromTracesEndpoint(value)
            : OtlpEndpoint.fromBaseEndpoint(value);
        if (url == null) {
            config.invalid(key, value, "an http:// or https:// URL such as " + OtlpEndpoint.DEFAULT_ENDPOINT,
                "no endpoint: spans are dropped and counted, the application is unaffected");
        }
        return url;
    }

    /** Only OTLP/HTTP with protobuf is implemented; other protocols are reported once and replaced by it. */
    private static void checkProtocol(PlumeConfig config, HttpUrl url) {
        String key = config.getRaw(TRACES_PROTOCOL) != null ? TRACES_PROTOCOL : PROTOCOL;
        String raw = config.getRaw(key);
        if (raw == null) {
            return;
        }
        String protocol = raw.toLowerCase(Locale.ROOT);
        String target = url == null ? "" : " to " + OtlpEndpoint.forLog(url);
        switch (protocol) {
            case HTTP_PROTOBUF -> {
            }
            case "grpc" -> PlumeLog.warn(key + "=grpc: OTLP/gRPC arrives in a later Plume version; exporting with "
                + HTTP_PROTOBUF + target + " instead (point the endpoint at the collector's OTLP/HTTP port, "
                + "usually 4318)");
            case "http/json" -> PlumeLog.warn(key + "=http/json is not supported; exporting with " + HTTP_PROTOBUF
                + target + " instead");
            default -> config.invalid(key, raw, "grpc, http/protobuf or http/json", HTTP_PROTOBUF);
        }
    }
}
