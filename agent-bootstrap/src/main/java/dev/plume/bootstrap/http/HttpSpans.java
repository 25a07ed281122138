package dev.plume.bootstrap.http;

import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.StatusCode;
import dev.plume.bootstrap.trace.Tracer;

import java.net.InetAddress;
import java.net.URI;

/**
 * Starts and ends HTTP spans under the stable HTTP semantic conventions, from values every HTTP library can supply
 * (strings, {@link URI}, status codes). Each library's advice reads its own types and calls these.
 */
public final class HttpSpans {
    private HttpSpans() {
    }

    /**
     * Starts a SERVER span named {@code METHOD route} whose parent comes from the request's W3C headers.
     * Returns null when tracing is off; an unsampled span carries context but gets no attributes.
     */
    public static SpanSlot startServer(int scopeId, String method, String route, String traceparent,
                                       String tracestate) {
        String known = HttpSemantics.knownMethod(method);
        SpanSlot span = Tracer.startSpanFromRemote(scopeId, SpanKind.SERVER, known != null ? known : "HTTP", route,
            traceparent, tracestate);
        if (span != null && span.isRecording()) {
            setMethod(span, method, known);
            if (route != null) {
                span.setAttribute("http.route", route);
            }
        }
        return span;
    }

    /** The request attributes of a SERVER span. {@code hostHeader} gives {@code server.address} and port. */
    public static void serverRequest(SpanSlot span, String scheme, String path, String query, String hostHeader,
                                     String protocol, String userAgent, InetAddress client) {
        if (!span.isRecording()) {
            return;
        }
        span.setAttribute("url.scheme", scheme);
        span.setAttribute("url.path", path);
        if (query != null) {
            span.setAttribute("url.query", query);
        }
        String host = HttpSemantics.hostOf(hostHeader);
        if (host != null) {
            span.setAttribute("server.address", host);
            int port = HttpSemantics.portOf(hostHeader, HttpSemantics.defaultPort(scheme));
            if (port > 0) {
                span.setAttribute("server.port", (long) port);
            }
        }
        String version = HttpSemantics.protocolVersion(protocol);
        if (version != null) {
            span.setAttribute("network.protocol.version", version);
        }
        if (userAgent != null) {
            span.setAttribute("user_agent.original", userAgent);
        }
        String clientAddress = HttpSemantics.addressOf(client);
        if (clientAddress != null) {
            span.setAttribute("client.address", clientAddress);
        }
    }

    /** Ends a SERVER span: 5xx or an exception make it an error (4xx is the client's error, not the server's). */
    public static void endServer(SpanSlot span, int statusCode, Throwable error) {
        finish(span, statusCode, error, 500);
    }

    /** Starts a CLIENT span named after the method, with the request attributes; detached spans may end elsewhere. */
    public static SpanSlot startClient(int scopeId, String method, URI uri, boolean detached) {
        String known = HttpSemantics.knownMethod(method);
        String name = known != null ? known : "HTTP";
        SpanSlot span = detached
            ? Tracer.startDetachedSpan(scopeId, SpanKind.CLIENT, name, null)
            : Tracer.startSpan(scopeId, SpanKind.CLIENT, name, null);
        if (span == null || !span.isRecording()) {
            return span;
        }
        setMethod(span, method, known);
        if (uri != null) {
            span.setAttribute("url.full", fullUrl(uri));
            String host = uri.getHost();
            if (host != null) {
                span.setAttribute("server.address", host);
                int port = uri.getPort();
                span.setAttribute("server.port", (long) (port > 0 ? port : HttpSemantics.defaultPort(uri.getScheme())));
            }
        }
        return span;
    }

    /** Ends a CLIENT span: any status from 400 up, or an exception, makes it an error. */
    public static void endClient(SpanSlot span, int statusCode, Throwable error) {
        finish(span, statusCode, error, 400);
    }

    /** Whether a span of this scope and kind is already open here (a library calling itself, e.g. send via sendAsync). */
    public static boolean isInside(int scopeId, int kind) {
        SpanSlot current = Tracer.currentSpan();
        return current != null && current.kind() == kind && current.scopeId() == scopeId;
    }

    private static void finish(SpanSlot span, int statusCode, Throwable error, int errorFrom) {
        try {
            if (statusCode > 0) {
                span.setAttribute("http.response.status_code", (long) statusCode);
                if (statusCode >= errorFrom) {
                    span.setAttribute("error.type", HttpSemantics.statusString(statusCode));
                    span.setStatus(StatusCode.ERROR, null);
                }
            }
            if (error != null) {
                span.setAttribute("error.type", error.getClass().getName());
                span.setStatus(StatusCode.ERROR, error.getMessage());
                span.recordException(error);
            }
        } finally {
            span.end();
        }
    }

    private static void setMethod(SpanSlot span, String method, String known) {
        if (known != null) {
            span.setAttribute("http.request.method", known);
        } else {
            span.setAttribute("http.request.method", HttpSemantics.OTHER_METHOD);
            if (method != null) {
                span.setAttribute("http.request.method_original", method);
            }
        }
    }

    /** {@code url.full} never carries credentials: user info is replaced, as the conventions require. */
    static String fullUrl(URI uri) {
        if (uri.getRawUserInfo() == null) {
            return uri.toString();
        }
        String text = uri.toString();
        int start = text.indexOf("//") + 2;
        int at = text.indexOf('@', start);
        return at < 0 ? text : text.substring(0, start) + "REDACTED:REDACTED" + text.substring(at);
    }
}
