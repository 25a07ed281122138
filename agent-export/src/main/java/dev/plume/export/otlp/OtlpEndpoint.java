package dev.plume.export.otlp;

import okhttp3.HttpUrl;

/**
 * The traces URL, by the rules of the OTLP exporter specification for OTLP/HTTP: a signal-specific endpoint
 * ({@code otel.exporter.otlp.traces.endpoint}) is used as it is; the general one ({@code otel.exporter.otlp.endpoint})
 * gets {@code v1/traces} appended to its path, relative to it, with or without a trailing slash.
 */
public final class OtlpEndpoint {
    public static final String DEFAULT_ENDPOINT = "http://localhost:4318";
    /** The OTLP/gRPC default; gRPC endpoints are used as they are, the method path replaces theirs. */
    public static final String DEFAULT_GRPC_ENDPOINT = "http://localhost:4317";
    static final String TRACES_PATH = "v1/traces";

    private OtlpEndpoint() {
    }

    /** A signal-specific endpoint as a URL, or null when it is not an http or https URL. */
    public static HttpUrl fromTracesEndpoint(String tracesEndpoint) {
        return HttpUrl.parse(tracesEndpoint);
    }

    /** The general endpoint with {@code v1/traces} appended, or null when it is not an http or https URL. */
    public static HttpUrl fromBaseEndpoint(String baseEndpoint) {
        HttpUrl base = HttpUrl.parse(baseEndpoint);
        // addPathSegments replaces a trailing empty segment: "http://h:4318" and "http://h:4318/" both get /v1/traces
        return base == null ? null : base.newBuilder().addPathSegments(TRACES_PATH).build();
    }

    /**
     * The traces URL as a string, or null when the endpoint that applies is malformed.
     *
     * @param tracesEndpoint the value of {@code otel.exporter.otlp.traces.endpoint}, or null
     * @param baseEndpoint   the value of {@code otel.exporter.otlp.endpoint}, or null for the default
     */
    public static String tracesUrl(String tracesEndpoint, String baseEndpoint) {
        HttpUrl url = tracesEndpoint != null
            ? fromTracesEndpoint(tracesEndpoint)
            : fromBaseEndpoint(baseEndpoint != null ? baseEndpoint : DEFAULT_ENDPOINT);
        return url == null ? null : url.toString();
    }

    /** The URL without user information or query, safe to print in a log line. */
    public static String forLog(HttpUrl url) {
        return url.scheme() + "://" + url.host() + ":" + url.port() + url.encodedPath();
    }
}
