package dev.plume.bootstrap.http;

import dev.plume.bootstrap.trace.AttributeKey;
import dev.plume.bootstrap.trace.AttributeList;
import dev.plume.bootstrap.trace.InstrumentationScope;
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
    // Registered keys: a record carries each as a 4-byte id rather than its bytes (AttributeKey).
    private static final AttributeKey CLIENT_ADDRESS = AttributeKey.of("client.address");
    private static final AttributeKey ERROR_TYPE = AttributeKey.of("error.type");
    private static final AttributeKey HTTP_REQUEST_METHOD = AttributeKey.of("http.request.method");
    private static final AttributeKey HTTP_REQUEST_METHOD_ORIGINAL = AttributeKey.of("http.request.method_original");
    private static final String RESEND_COUNT = "http.request.resend_count";
    private static final AttributeKey HTTP_REQUEST_RESEND_COUNT = AttributeKey.of(RESEND_COUNT);
    private static final AttributeKey HTTP_RESPONSE_STATUS_CODE = AttributeKey.of("http.response.status_code");
    private static final AttributeKey HTTP_ROUTE = AttributeKey.of("http.route");
    private static final AttributeKey NETWORK_PROTOCOL_VERSION = AttributeKey.of("network.protocol.version");
    private static final AttributeKey SERVER_ADDRESS = AttributeKey.of("server.address");
    private static final AttributeKey SERVER_PORT = AttributeKey.of("server.port");
    private static final AttributeKey URL_FULL = AttributeKey.of("url.full");
    private static final AttributeKey URL_PATH = AttributeKey.of("url.path");
    private static final AttributeKey URL_QUERY = AttributeKey.of("url.query");
    private static final AttributeKey URL_SCHEME = AttributeKey.of("url.scheme");
    private static final AttributeKey USER_AGENT_ORIGINAL = AttributeKey.of("user_agent.original");

    /** The scopes whose CLIENT spans are HTTP client calls, as a mask of {@code 1L << scopeId}. */
    private static final long HTTP_CLIENT_SCOPES = 1L << InstrumentationScope.JDK_HTTP_CLIENT
        | 1L << InstrumentationScope.HTTP_URL_CONNECTION | 1L << InstrumentationScope.OKHTTP
        | 1L << InstrumentationScope.APACHE_HTTP_CLIENT | 1L << InstrumentationScope.SPRING_WEBFLUX;

    /** Per thread: the id of the span whose request a library last sent ({@link #clientSent}). */
    private static final ThreadLocal<long[]> LAST_SENT = new ThreadLocal<>() {
        @Override
        protected long[] initialValue() {
            return new long[1];
        }
    };

    private HttpSpans() {
    }

    /**
     * The CLIENT span of another library's HTTP call that the call starting here on this thread is part of, or null.
     * A library below another (a Spring {@code WebClient} exchange over its JDK or HttpComponents connector, an OkHttp
     * interceptor calling another client) starts no span of its own, as the OpenTelemetry agent suppresses nested HTTP
     * client spans: it only sends the enclosing span's context in its request's headers ({@link #sentContext}). Found
     * by the enclosing call's {@link Tracer#handOff hand-off}, taken here ({@link Tracer#HANDED_OFF}: the request
     * carries the context already), or by its span being open on this thread (a synchronous call); nothing is
     * allocated either way. Advice asks this after its own library's call depth says it is outermost.
     */
    public static SpanSlot enclosingClient() {
        return Tracer.enclosingSpan(SpanKind.CLIENT, HTTP_CLIENT_SCOPES);
    }

    /**
     * The span whose context a call's request must carry, given what {@link #enclosingClient} answered and the span the
     * call started (null when it was enclosed): its own, the enclosing call's, or null when there is nothing to add
     * (untraced, or handed off with the headers already on the request).
     */
    public static SpanSlot sentContext(SpanSlot enclosing, SpanSlot span) {
        return enclosing == null ? span : enclosing == Tracer.HANDED_OFF ? null : enclosing;
    }

    /**
     * Starts a SERVER span named {@code METHOD route} whose parent and baggage the configured propagators read from
     * {@code headerValues} (the values of {@link dev.plume.bootstrap.trace.Propagation#names()}, in order).
     * Returns null when tracing is off; an unsampled span carries context but gets no attributes.
     */
    public static SpanSlot startServer(int scopeId, String method, String route, String[] headerValues) {
        String known = HttpSemantics.knownMethod(method);
        SpanSlot span = Tracer.startSpanFromRemote(scopeId, SpanKind.SERVER, known != null ? known : "HTTP", route,
            headerValues);
        if (span != null && span.isRecording()) {
            setMethod(span, method, known);
            if (route != null) {
                span.setAttribute(HTTP_ROUTE, route);
            }
        }
        return span;
    }

    /** The request attributes of a SERVER span. {@code hostHeader} gives {@code server.address} and port. */
    public static void serverRequest(SpanSlot span, String scheme, String path, String query, String hostHeader,
                                     String protocol, String userAgent, InetAddress client) {
        if (span.isRecording()) {
            serverRequest(span, scheme, path, query, hostHeader, protocol, userAgent, HttpSemantics.addressOf(client));
        }
    }

    /** As above, with the client's address already text (as servlet containers give it). */
    public static void serverRequest(SpanSlot span, String scheme, String path, String query, String hostHeader,
                                     String protocol, String userAgent, String clientAddress) {
        if (!span.isRecording()) {
            return;
        }
        span.setAttribute(URL_SCHEME, scheme);
        span.setAttribute(URL_PATH, path);
        if (query != null) {
            span.setAttribute(URL_QUERY, HttpSemantics.redactedQuery(query));
        }
        String host = HttpSemantics.hostOf(hostHeader);
        if (host != null) {
            span.setAttribute(SERVER_ADDRESS, host);
            int port = HttpSemantics.portOf(hostHeader, HttpSemantics.defaultPort(scheme));
            if (port > 0) {
                span.setAttribute(SERVER_PORT, (long) port);
            }
        }
        String version = HttpSemantics.protocolVersion(protocol);
        if (version != null) {
            span.setAttribute(NETWORK_PROTOCOL_VERSION, version);
        }
        if (userAgent != null) {
            span.setAttribute(USER_AGENT_ORIGINAL, userAgent);
        }
        if (clientAddress != null) {
            span.setAttribute(CLIENT_ADDRESS, clientAddress);
        }
    }

    /**
     * The route a framework matched ({@code /owners/{ownerId}}), for the request's SERVER span on this thread: it becomes
     * {@code http.route} and the second part of the span's name. The innermost SERVER span open here is the request's.
     */
    public static void serverRoute(String route) {
        SpanSlot span = Tracer.currentSpan(SpanKind.SERVER);
        if (span != null) {
            setRoute(span, route);
        }
    }

    /** A route known only at the end (a servlet mapping), used when no framework set a better one. */
    public static void serverRouteIfAbsent(SpanSlot span, String route) {
        if (span.nameSuffix() == null) {
            setRoute(span, route);
        }
    }

    private static void setRoute(SpanSlot span, String route) {
        if (route == null || route.isEmpty()) {
            return;
        }
        span.setNameSuffix(route);
        if (span.isRecording()) {
            span.setAttribute(HTTP_ROUTE, route);
        }
    }

    /**
     * An exception the application raised while serving the request, even if a framework then turned it into a
     * response (an error handler, an error page): recorded on the request's SERVER span as an event; whether the span is
     * an error is decided by the status the response ends with.
     */
    public static void serverException(Throwable error) {
        SpanSlot span = Tracer.currentSpan(SpanKind.SERVER);
        if (span != null && error != null) {
            span.recordException(error);
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
            span.setAttribute(URL_FULL, fullUrl(uri));
            String host = uri.getHost();
            if (host != null) {
                span.setAttribute(SERVER_ADDRESS, host);
                int port = uri.getPort();
                span.setAttribute(SERVER_PORT,
                    (long) (port > 0 ? port : HttpSemantics.defaultPort(uri.getScheme())));
            }
        }
        return span;
    }

    /**
     * Starts a CLIENT span for a request to {@code url} ({@link java.net.HttpURLConnection}'s), with the request
     * attributes; the URL's text is made only when the span records.
     */
    public static SpanSlot startClient(int scopeId, String method, java.net.URL url, boolean detached) {
        SpanSlot span = startClientSpan(scopeId, method, detached);
        if (span != null && span.isRecording() && url != null) {
            int port = url.getPort();
            clientUrl(span, url.toExternalForm(), url.getHost(),
                port > 0 ? port : HttpSemantics.defaultPort(url.getProtocol()));
        }
        return span;
    }

    /**
     * Starts a CLIENT span from a request's parts, as a library holds them: the URL's text ({@code url.full}, redacted
     * here), its host and its port ({@code -1}: the scheme's default, from the URL).
     */
    public static SpanSlot startClient(int scopeId, String method, String url, String host, int port,
                                       boolean detached) {
        SpanSlot span = startClientSpan(scopeId, method, detached);
        if (span != null && span.isRecording()) {
            clientUrl(span, url, host,
                port > 0 ? port : HttpSemantics.defaultPort(url != null && url.startsWith("https:") ? "https" : "http"));
        }
        return span;
    }

    /**
     * Starts a CLIENT span from a request's parts as a library holds them separately (Apache HttpClient's target host
     * and request path): {@code url.full} is composed from them, only when the span records. A {@code pathAndQuery}
     * that is already an absolute URL is used as it is.
     */
    public static SpanSlot startClient(int scopeId, String method, String scheme, String host, int port,
                                       String pathAndQuery, boolean detached) {
        SpanSlot span = startClientSpan(scopeId, method, detached);
        if (span != null && span.isRecording()) {
            String url;
            if (pathAndQuery != null && (host == null
                || pathAndQuery.startsWith("http://") || pathAndQuery.startsWith("https://"))) {
                url = pathAndQuery; // absolute, or all there is
            } else {
                StringBuilder text = new StringBuilder(64).append(scheme != null ? scheme : "http").append("://")
                    .append(host);
                if (port > 0) {
                    text.append(':').append(port);
                }
                url = text.append(pathAndQuery == null || pathAndQuery.isEmpty() ? "/" : pathAndQuery).toString();
            }
            clientUrl(span, url, host, port > 0 ? port : HttpSemantics.defaultPort(scheme));
        }
        return span;
    }

    private static SpanSlot startClientSpan(int scopeId, String method, boolean detached) {
        String known = HttpSemantics.knownMethod(method);
        String name = known != null ? known : "HTTP";
        SpanSlot span = detached
            ? Tracer.startDetachedSpan(scopeId, SpanKind.CLIENT, name, null)
            : Tracer.startSpan(scopeId, SpanKind.CLIENT, name, null);
        if (span != null && span.isRecording()) {
            setMethod(span, method, known);
        }
        return span;
    }

    private static void clientUrl(SpanSlot span, String url, String host, int port) {
        if (url != null) {
            span.setAttribute(URL_FULL, HttpSemantics.redactedUrl(url));
        }
        if (host != null && !host.isEmpty()) {
            // java.net.URL keeps the brackets of an IPv6 literal; server.address does not
            span.setAttribute(SERVER_ADDRESS, host.charAt(0) == '[' && host.endsWith("]")
                ? host.substring(1, host.length() - 1) : host);
            span.setAttribute(SERVER_PORT, (long) port);
        }
    }

    /**
     * The request of a CLIENT span was sent once more within it (a redirect the library followed, a retry):
     * {@code http.request.resend_count} counts them. Rare, so the count is looked up among the span's attributes.
     */
    public static void clientResent(SpanSlot span) {
        if (!span.isRecording()) {
            return;
        }
        AttributeList attributes = span.attributes();
        long count = 0;
        for (int i = 0; i < attributes.count(); i++) {
            if (RESEND_COUNT.equals(attributes.key(i))) {
                count = attributes.bits(i);
                break;
            }
        }
        span.setAttribute(HTTP_REQUEST_RESEND_COUNT, count + 1);
    }

    /**
     * A library sends the request of the CLIENT span of {@code scopeId} current on this thread (Apache HttpClient's
     * classic exec chain reaches its {@code MainClientExec} once per request it sends): every send after the first
     * within one span, a redirect followed or a retry, counts one in {@code http.request.resend_count}. Nothing when
     * the current span is not that library's (its call was part of another library's, or is not traced).
     */
    public static void clientSent(int scopeId) {
        SpanSlot span = Tracer.currentSpan();
        if (span == null || span.kind() != SpanKind.CLIENT || span.scopeId() != scopeId) {
            return;
        }
        long[] last = LAST_SENT.get();
        if (last[0] == span.spanId()) {
            clientResent(span);
        } else {
            last[0] = span.spanId();
        }
    }

    /** Ends a CLIENT span: any status from 400 up, or an exception, makes it an error. */
    public static void endClient(SpanSlot span, int statusCode, Throwable error) {
        finish(span, statusCode, error, 400);
    }

    /**
     * Ends a CLIENT span as {@link #endClient(SpanSlot, int, Throwable)} does, with the response's protocol
     * ({@link HttpSemantics#clientProtocolVersion}'s result, or null) and how many times the request was sent again
     * (redirects, retries) within the span: {@code http.request.resend_count} when more than 0.
     */
    public static void endClient(SpanSlot span, int statusCode, String protocolVersion, int resendCount,
                                 Throwable error) {
        if (span.isRecording()) {
            if (protocolVersion != null) {
                span.setAttribute(NETWORK_PROTOCOL_VERSION, protocolVersion);
            }
            if (resendCount > 0) {
                span.setAttribute(HTTP_REQUEST_RESEND_COUNT, (long) resendCount);
            }
        }
        finish(span, statusCode, error, 400);
    }

    private static void finish(SpanSlot span, int statusCode, Throwable error, int errorFrom) {
        try {
            if (statusCode > 0) {
                span.setAttribute(HTTP_RESPONSE_STATUS_CODE, (long) statusCode);
                if (statusCode >= errorFrom) {
                    span.setAttribute(ERROR_TYPE, HttpSemantics.statusString(statusCode));
                    span.setStatus(StatusCode.ERROR, null);
                }
            }
            if (error != null) {
                span.setAttribute(ERROR_TYPE, error.getClass().getName());
                span.setStatus(StatusCode.ERROR, error.getMessage());
                span.recordException(error);
            }
        } finally {
            span.end();
        }
    }

    private static void setMethod(SpanSlot span, String method, String known) {
        if (known != null) {
            span.setAttribute(HTTP_REQUEST_METHOD, known);
        } else {
            span.setAttribute(HTTP_REQUEST_METHOD, HttpSemantics.OTHER_METHOD);
            if (method != null) {
                span.setAttribute(HTTP_REQUEST_METHOD_ORIGINAL, method);
            }
        }
    }

    /** {@code url.full} never carries credentials nor sensitive query values ({@link HttpSemantics#redactedUrl}). */
    static String fullUrl(URI uri) {
        return HttpSemantics.redactedUrl(uri.toString());
    }
}
