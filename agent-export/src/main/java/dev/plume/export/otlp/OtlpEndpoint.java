package dev.plume.export.otlp;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

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

    /** A signal-specific endpoint as a URL (no path: the root path), or null when it is not an http or https URL. */
    public static String fromTracesEndpoint(String tracesEndpoint) {
        URI uri = parse(tracesEndpoint);
        if (uri == null) {
            return null;
        }
        String path = uri.getRawPath();
        return build(uri, path == null || path.isEmpty() ? "/" : path);
    }

    /** The general endpoint with {@code v1/traces} appended, or null when it is not an http or https URL. */
    public static String fromBaseEndpoint(String baseEndpoint) {
        URI uri = parse(baseEndpoint);
        if (uri == null) {
            return null;
        }
        String path = uri.getRawPath();
        if (path == null || path.isEmpty()) {
            path = "/";
        }
        // relative to the path: "http://h:4318" and "http://h:4318/" both get /v1/traces
        return build(uri, (path.endsWith("/") ? path : path + "/") + TRACES_PATH);
    }

    /**
     * The traces URL as a string, or null when the endpoint that applies is malformed.
     *
     * @param tracesEndpoint the value of {@code otel.exporter.otlp.traces.endpoint}, or null
     * @param baseEndpoint   the value of {@code otel.exporter.otlp.endpoint}, or null for the default
     */
    public static String tracesUrl(String tracesEndpoint, String baseEndpoint) {
        return tracesEndpoint != null
            ? fromTracesEndpoint(tracesEndpoint)
            : fromBaseEndpoint(baseEndpoint != null ? baseEndpoint : DEFAULT_ENDPOINT);
    }

    /** The URL without user information or query, safe to print in a log line. */
    public static String forLog(String url) {
        URI uri = parse(url);
        if (uri == null) {
            return "(no URL)";
        }
        return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + host(uri) + ":" + port(uri) + uri.getRawPath();
    }

    /**
     * Read with {@link URI}, not OkHttp's {@code HttpUrl}: the exporter's settings are read while the application
     * starts, and {@code HttpUrl}'s first use (with the Kotlin classes under it) costs tens of milliseconds of CPU
     * there; the senders make their {@code HttpUrl} at the first export.
     */
    private static URI parse(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            URI uri = new URI(value.strip());
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || uri.getHost() == null || uri.getHost().isEmpty()) {
                return null;
            }
            return uri;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static String build(URI uri, String path) {
        StringBuilder url = new StringBuilder(uri.getScheme().toLowerCase(Locale.ROOT)).append("://");
        if (uri.getRawUserInfo() != null) {
            url.append(uri.getRawUserInfo()).append('@');
        }
        url.append(host(uri));
        int port = uri.getPort();
        if (port >= 0 && port != defaultPort(uri)) {
            url.append(':').append(port);
        }
        url.append(path);
        if (uri.getRawQuery() != null) {
            url.append('?').append(uri.getRawQuery());
        }
        return url.toString();
    }

    private static String host(URI uri) {
        return uri.getHost().toLowerCase(Locale.ROOT);
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : defaultPort(uri);
    }

    private static int defaultPort(URI uri) {
        return uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }
}
