package dev.plume.bootstrap.http;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.trace.Propagation;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Map;

/**
 * Propagation headers for the JDK's {@code HttpClient} without a copy of the application's request. The application's
 * {@code HttpRequest} is immutable, but the client turns it into its own {@code jdk.internal.net.http.HttpRequestImpl}
 * on the caller's thread, and that one carries "system" headers (the client's {@code User-Agent}) next to the user's.
 * The call's advice hands its span off ({@link #handOff}); the advice in {@code HttpRequestImpl}'s constructor puts
 * the headers on as system headers ({@link #inject}); a redirect's new request takes them from the one it follows
 * ({@link #carryOver}). The instrumentation opens the client's internal package to the agent (the methods used are
 * {@code setSystemHeader} and {@code getSystemHeadersBuilder().map()}); where that fails, or where the application set
 * a propagation header itself (which ours must replace), the call falls back to copying the request.
 */
public final class JdkHttpClientHeaders {
    private static final String REQUEST_IMPL = "jdk.internal.net.http.HttpRequestImpl";
    private static final String HEADERS_BUILDER = "jdk.internal.net.http.common.HttpHeadersBuilder";
    private static final MethodType SET_TYPE = MethodType.methodType(void.class, Object.class, String.class,
        String.class);
    private static final MethodType GET_TYPE = MethodType.methodType(Object.class, Object.class);

    /** Null until the first request; then the handles, or {@link #BROKEN} when they cannot be had. */
    private static volatile Handles handles;
    private static final Handles BROKEN = new Handles(null, null, null);

    private JdkHttpClientHeaders() {
    }

    /**
     * Hands {@code span} to the request the client is about to build, unless the headers cannot go on that way
     * (this JDK's client does not fit, or {@code userHeaders} already name a propagation header): false means the
     * caller copies the request instead.
     */
    public static boolean handOff(SpanSlot span, Map<String, List<String>> userHeaders) {
        if (handles() == BROKEN) {
            return false;
        }
        for (int i = 0; i < Propagation.outgoingCount(); i++) {
            if (userHeaders.containsKey(Propagation.outgoingName(i))) {
                return false;
            }
        }
        Tracer.handOffOutgoing(span);
        return true;
    }

    /** Advice in {@code HttpRequestImpl(HttpRequest, ProxySelector)}: puts the handed-off span's headers on. */
    public static void inject(Object requestImpl) {
        SpanSlot span = Tracer.takeOutgoing();
        if (span == null) {
            return;
        }
        Handles h = handles();
        if (h == BROKEN) {
            return;
        }
        try {
            for (int i = 0; i < Propagation.outgoingCount(); i++) {
                String value = Propagation.outgoingValue(i, span);
                if (value != null) {
                    h.setSystemHeader.invokeExact(requestImpl, Propagation.outgoingName(i), value);
                }
            }
        } catch (Throwable t) {
            PlumeLog.warnRateLimited("jdk-http-client-headers", "could not add trace headers to a java.net.http"
                + " request, it goes without them: " + t);
        }
    }

    /**
     * Advice in the constructor of a redirect's (or an authentication retry's) request: the client makes it with
     * fresh system headers, so the propagation headers of the request it follows are set on it again.
     */
    public static void carryOver(Object previous, Object next) {
        Handles h = handles;
        if (h == null || h == BROKEN || previous == null) {
            return; // no request of ours was built yet, so none carries headers
        }
        try {
            @SuppressWarnings("unchecked")
            Map<String, List<String>> system = (Map<String, List<String>>) h.builderMap.invokeExact(
                h.systemHeadersBuilder.invokeExact(previous));
            for (int i = 0; i < Propagation.outgoingCount(); i++) {
                String name = Propagation.outgoingName(i);
                List<String> values = system.get(name);
                if (values != null && !values.isEmpty()) {
                    h.setSystemHeader.invokeExact(next, name, values.get(0));
                }
            }
        } catch (Throwable t) {
            PlumeLog.warnRateLimited("jdk-http-client-headers", "could not carry trace headers over to a redirected"
                + " java.net.http request, it goes without them: " + t);
        }
    }

    private static Handles handles() {
        Handles h = handles;
        if (h == null) {
            h = lookUp();
            handles = h;
        }
        return h;
    }

    private static Handles lookUp() {
        try {
            // Loading the request class (java.net.http is the platform loader's) has the instrumentation rewrite it and
            // open its packages to the agent, before the first request is built.
            ClassLoader platform = ClassLoader.getPlatformClassLoader();
            Class<?> requestImpl = Class.forName(REQUEST_IMPL, false, platform);
            Class<?> builder = Class.forName(HEADERS_BUILDER, false, platform);
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(requestImpl, MethodHandles.lookup());
            MethodHandle set = lookup.findVirtual(requestImpl, "setSystemHeader",
                MethodType.methodType(void.class, String.class, String.class)).asType(SET_TYPE);
            MethodHandle get = lookup.findVirtual(requestImpl, "getSystemHeadersBuilder",
                MethodType.methodType(builder)).asType(GET_TYPE);
            MethodHandle map = MethodHandles.privateLookupIn(builder, MethodHandles.lookup()).findVirtual(builder,
                "map", MethodType.methodType(Map.class)).asType(MethodType.methodType(Map.class, Object.class));
            return new Handles(set, get, map);
        } catch (Throwable t) {
            PlumeLog.warn("java.net.http requests get their trace headers on a copy of the request (more allocation"
                + " per call): this JDK's client does not fit the in-place way (" + t + ")");
            return BROKEN;
        }
    }

    private record Handles(MethodHandle setSystemHeader, MethodHandle systemHeadersBuilder,
                           MethodHandle builderMap) {
    }
}
