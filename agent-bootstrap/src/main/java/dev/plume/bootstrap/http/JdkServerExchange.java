package dev.plume.bootstrap.http;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.trace.Propagation;
import dev.plume.bootstrap.trace.W3cTraceContext;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * What a SERVER span needs from the JDK's {@code HttpServer} exchange, read without the objects its public API makes
 * on every call (JDK 17 to 25): iterating the request headers wraps them in an unmodifiable set, its iterator and an
 * entry per header; {@code getProtocol()} cuts a new string out of the request line; {@code getRemoteAddress()} makes a
 * new {@code InetSocketAddress}. Together ~115 B per request on JDK 17, the whole of what Plume added on a single-span
 * request's thread (BENCHMARKS.md). Here the headers' own {@code HashMap} is visited in place, the version is matched
 * at the end of the request line, and the address is the one the socket channel keeps.
 *
 * <p>The fields read are the JDK's ({@code sun.net.httpserver}, opened to the agent when the server's classes are
 * instrumented). On a JDK whose classes do not have them, or for an exchange of another class (a wrapper an
 * application made), {@link #internalOf} says so (null) and the advice uses the public API, as before.
 */
public final class JdkServerExchange {
    private static final MethodType GETTER = MethodType.methodType(Object.class, Object.class);
    private static final Handles UNAVAILABLE = new Handles(null, null, null, null, null, null, null, null, null,
        null, null, null);
    private static final ThreadLocal<Headers> HEADERS = ThreadLocal.withInitial(Headers::new);

    private JdkServerExchange() {
    }

    /**
     * What one request's headers held, in a holder its thread reuses (valid until its next request). A server that runs
     * each request on a new virtual thread makes one per request (~60 B, less than the public API's iteration).
     */
    public static final class Headers implements BiConsumer<String, List<String>> {
        private String[] propagated = new String[0];
        private boolean anyPropagated;
        private String host;
        private String userAgent;

        /** The values of {@link Propagation#names()} (null where absent), or null when none was received. */
        public String[] propagated() {
            return anyPropagated ? propagated : null;
        }

        public String host() {
            return host;
        }

        public String userAgent() {
            return userAgent;
        }

        private void clear() {
            int names = Propagation.names().length;
            if (propagated.length != names) {
                propagated = new String[names];
            } else if (anyPropagated) {
                java.util.Arrays.fill(propagated, null);
            }
            anyPropagated = false;
            host = null;
            userAgent = null;
        }

        @Override
        public void accept(String name, List<String> values) {
            if (name == null || values == null || values.isEmpty()) {
                return;
            }
            int slot = Propagation.indexOf(name);
            if (slot >= 0) {
                // several tracestate or baggage headers are one list; two traceparents are no parent
                propagated[slot] = Propagation.isList(slot) ? W3cTraceContext.join(values)
                    : values.size() == 1 ? values.get(0) : null;
                anyPropagated = true;
            } else if (name.equalsIgnoreCase("host")) {
                host = values.get(0);
            } else if (name.equalsIgnoreCase("user-agent")) {
                userAgent = values.get(0);
            }
        }
    }

    /** Reads the propagation headers, Host and User-Agent of {@code requestHeaders} (an exchange's request headers). */
    public static Headers read(Map<String, List<String>> requestHeaders) {
        Headers headers = HEADERS.get();
        headers.clear();
        Map<String, List<String>> own = ownMap(requestHeaders);
        if (own != null) {
            own.forEach(headers); // HashMap.forEach walks its table: no iterator, no entry wrappers
        } else {
            for (Map.Entry<String, List<String>> header : requestHeaders.entrySet()) {
                headers.accept(header.getKey(), header.getValue());
            }
        }
        return headers;
    }

    /**
     * The JDK's own exchange behind {@code exchange} (its {@code ExchangeImpl}), for {@link #protocol} and
     * {@link #remoteAddress}; null for an exchange of another class, or when this JDK's fields are not readable (then
     * use the public API).
     */
    public static Object internalOf(Object exchange) {
        Handles h = Internals.HANDLES;
        try {
            if (exchange != null && exchange.getClass() == h.httpExchange) {
                return h.httpImpl.invokeExact(exchange);
            }
            if (exchange != null && exchange.getClass() == h.httpsExchange) {
                return h.httpsImpl.invokeExact(exchange);
            }
        } catch (Throwable e) {
            // not readable
        }
        return null;
    }

    /**
     * The protocol ({@code HTTP/1.1} or {@code HTTP/1.0}, as {@code getProtocol()} says it) matched at the end of the
     * request line of {@code internal} (from {@link #internalOf}), or null for any other ending (the caller then asks
     * {@code getProtocol()}).
     */
    public static String protocol(Object internal) {
        try {
            Handles h = Internals.HANDLES;
            if (follow(internal, h.request, h.startLine) instanceof String text) {
                if (text.endsWith(" HTTP/1.1")) {
                    return "HTTP/1.1";
                }
                if (text.endsWith(" HTTP/1.0")) {
                    return "HTTP/1.0";
                }
            }
        } catch (Throwable e) {
            // null: the public API answers
        }
        return null;
    }

    /** The peer's address as the socket channel of {@code internal} keeps it, or null when closed or not readable. */
    public static InetAddress remoteAddress(Object internal) {
        try {
            Handles h = Internals.HANDLES;
            if (follow(internal, h.connection, h.channel) instanceof SocketChannel socket) {
                SocketAddress remote = socket.getRemoteAddress();
                if (remote instanceof InetSocketAddress inet) {
                    return inet.getAddress();
                }
            }
        } catch (Throwable e) {
            // closed, or not readable: null
        }
        return null;
    }

    /** {@code second(first(internal))}, or null where a step gives null. */
    private static Object follow(Object internal, MethodHandle first, MethodHandle second) throws Throwable {
        Object step = internal == null ? null : first.invokeExact(internal);
        return step == null ? null : second.invokeExact(step);
    }

    /**
     * The {@code HashMap} behind the JDK's request headers (an {@code UnmodifiableHeaders} over a {@code Headers}), or
     * null for headers of another class. Its keys are the normalized names the public API gives.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, List<String>> ownMap(Map<String, List<String>> requestHeaders) {
        Handles h = Internals.HANDLES;
        try {
            Object headers = requestHeaders;
            if (headers != null && headers.getClass() == h.unmodifiableHeaders) {
                headers = h.innerHeaders.invokeExact(headers);
            }
            if (headers != null && headers.getClass() == h.headers) {
                Object map = h.headersMap.invokeExact(headers); // invokeExact: the result as the handle's type
                return (Map<String, List<String>>) map;
            }
        } catch (Throwable e) {
            // not readable: iterate
        }
        return null;
    }

    /**
     * The handles, looked up when the first exchange reaches the advice (after the instrumentation opened the JDK's
     * packages), in a static final field the JIT takes as a constant: read from a mutable field, each handle was
     * invoked through its lambda forms, about half of {@link #read}'s time (CPU profile of /hello, 2026-12-02).
     */
    private static final class Internals {
        static final Handles HANDLES = lookUp();

        private Internals() {
        }
    }

    private static Handles lookUp() {
        try {
            // jdk.httpserver is the platform loader's; its packages were opened to the agent when Filter$Chain was
            // instrumented, which happened before the first exchange reached the advice that calls this
            ClassLoader platform = ClassLoader.getPlatformClassLoader();
            Class<?> httpExchange = Class.forName("sun.net.httpserver.HttpExchangeImpl", false, platform);
            Class<?> httpsExchange = Class.forName("sun.net.httpserver.HttpsExchangeImpl", false, platform);
            Class<?> exchangeImpl = Class.forName("sun.net.httpserver.ExchangeImpl", false, platform);
            Class<?> request = Class.forName("sun.net.httpserver.Request", false, platform);
            Class<?> connection = Class.forName("sun.net.httpserver.HttpConnection", false, platform);
            Class<?> unmodifiable = Class.forName("sun.net.httpserver.UnmodifiableHeaders", false, platform);
            Class<?> headers = Class.forName("com.sun.net.httpserver.Headers", false, platform);
            return new Handles(httpExchange, httpsExchange, unmodifiable, headers,
                getter(httpExchange, "impl", exchangeImpl), getter(httpsExchange, "impl", exchangeImpl),
                getter(exchangeImpl, "req", request), getter(request, "startLine", String.class),
                getter(exchangeImpl, "connection", connection), getter(connection, "chan", SocketChannel.class),
                getter(unmodifiable, "headers", headers), getter(headers, "map", java.util.HashMap.class));
        } catch (Throwable e) {
            PlumeLog.debug("the JDK HTTP server's exchanges are read through their public API (more allocation per"
                + " request): " + e);
            return UNAVAILABLE;
        }
    }

    private static MethodHandle getter(Class<?> owner, String field, Class<?> type)
        throws ReflectiveOperationException {
        return MethodHandles.privateLookupIn(owner, MethodHandles.lookup()).findGetter(owner, field, type)
            .asType(GETTER);
    }

    private record Handles(Class<?> httpExchange, Class<?> httpsExchange, Class<?> unmodifiableHeaders,
                           Class<?> headers, MethodHandle httpImpl, MethodHandle httpsImpl, MethodHandle request,
                           MethodHandle startLine, MethodHandle connection, MethodHandle channel,
                           MethodHandle innerHeaders, MethodHandle headersMap) {
    }
}
