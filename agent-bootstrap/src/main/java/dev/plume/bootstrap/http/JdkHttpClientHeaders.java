package dev.plume.bootstrap.http;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.trace.Propagation;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
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
 *
 * <p>Over HTTP/1.1 the client copies its system headers twice, filters each one through a stream and regrows its
 * block builder for the longer block (~900 bytes for one {@code traceparent}), so there the propagation headers are
 * taken out of the builder while the request's header block is made ({@link #detachForHttp1}), sent as a buffer of
 * their own after it ({@link #writeHttp1}), and put back, for a retry or a redirect to find. Every other path (HTTP/2,
 * and whatever a later JDK adds) sends them as the system headers they are.
 */
public final class JdkHttpClientHeaders {
    private static final String REQUEST_IMPL = "jdk.internal.net.http.HttpRequestImpl";
    private static final String HEADERS_BUILDER = "jdk.internal.net.http.common.HttpHeadersBuilder";
    private static final String HTTP1_REQUEST = "jdk.internal.net.http.Http1Request";
    private static final MethodType SET_TYPE = MethodType.methodType(void.class, Object.class, String.class,
        String.class);
    private static final MethodType GET_TYPE = MethodType.methodType(Object.class, Object.class);

    private static final Handles BROKEN = new Handles(null, null, null, null);
    /** Off once a header block did not end as expected: from then on the JDK writes the headers itself. */
    private static volatile boolean http1Direct = true;

    private JdkHttpClientHeaders() {
    }

    /**
     * Hands {@code span} to the request the client is about to build, unless the headers cannot go on that way
     * (this JDK's client does not fit, or {@code userHeaders} already name a propagation header): false means the
     * caller copies the request instead.
     */
    public static boolean handOff(SpanSlot span, Map<String, List<String>> userHeaders) {
        if (Internals.HANDLES == BROKEN) {
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
        Handles h = Internals.HANDLES;
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
        Handles h = Internals.HANDLES;
        if (h == BROKEN || previous == null) {
            return;
        }
        try {
            Map<String, List<String>> system = systemHeaders(h, h.systemHeadersBuilder, previous);
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

    /**
     * Advice on entry to {@code Http1Request.headers()}: takes the propagation headers out of the request's system
     * headers and returns them, as name and values pairs, for {@link #writeHttp1}; null when there are none.
     */
    public static Object[] detachForHttp1(Object http1Request) {
        Handles h = Internals.HANDLES;
        if (h == BROKEN || h.http1Builder == null || !http1Direct) {
            return null;
        }
        Map<String, List<String>> system;
        try {
            system = systemHeaders(h, h.http1Builder, http1Request);
        } catch (Throwable t) {
            http1Direct = false;
            PlumeLog.warn("java.net.http HTTP/1.1 requests get their trace headers through the JDK's own header"
                + " handling from now on (more allocation per call): " + t);
            return null;
        }
        Object[] detached = null;
        int count = Propagation.outgoingCount();
        for (int i = 0; i < count; i++) {
            String name = Propagation.outgoingName(i);
            List<String> values = system.remove(name);
            if (values != null) {
                if (detached == null) {
                    detached = new Object[2 * count];
                }
                detached[2 * i] = name;
                detached[2 * i + 1] = values;
            }
        }
        return detached;
    }

    /** The live map of the system-header builder that {@code builderOf} reads off {@code owner}. */
    @SuppressWarnings("unchecked")
    private static Map<String, List<String>> systemHeaders(Handles h, MethodHandle builderOf, Object owner)
        throws Throwable {
        return (Map<String, List<String>>) h.builderMap.invokeExact(builderOf.invokeExact(owner));
    }

    /**
     * Advice on exit from {@code Http1Request.headers()}: puts the headers {@link #detachForHttp1} took out back into
     * the system headers and returns the request's header block with them added, as a second buffer (the JDK's block
     * is one buffer ending with the blank line: the line moves to the end of the second). A block that does not end so
     * is returned as it is, and the headers go through the JDK's own handling from then on. The JDK's own header log
     * ({@code jdk.httpclient.HttpClient.log=headers}) shows the block without them.
     */
    public static Object writeHttp1(Object http1Request, Object[] detached, Object block, Throwable failed) {
        if (detached == null) {
            return block;
        }
        try {
            Handles h = Internals.HANDLES;
            Map<String, List<String>> system = systemHeaders(h, h.http1Builder, http1Request); // the same as on entry
            int length = 2;
            for (int i = 0; i + 1 < detached.length; i += 2) {
                if (detached[i] != null) {
                    @SuppressWarnings("unchecked")
                    List<String> values = (List<String>) detached[i + 1];
                    system.put((String) detached[i], values);
                    for (int v = 0; v < values.size(); v++) {
                        length += ((String) detached[i]).length() + 2 + values.get(v).length() + 2;
                    }
                }
            }
            if (failed != null) {
                return block;
            }
            ByteBuffer first = block instanceof List<?> list && list.size() == 1
                && list.get(0) instanceof ByteBuffer buffer ? buffer : null;
            int end = first == null ? -1 : first.limit();
            if (first == null || end - first.position() < 4 || first.get(end - 4) != '\r' || first.get(end - 3) != '\n'
                || first.get(end - 2) != '\r' || first.get(end - 1) != '\n') {
                http1Direct = false;
                PlumeLog.warn("a java.net.http request's header block is not the expected one, so it went without trace"
                    + " headers; later requests get them through the JDK's own header handling (more allocation)");
                return block;
            }
            byte[] lines = new byte[length];
            int at = 0;
            for (int i = 0; i + 1 < detached.length; i += 2) {
                if (detached[i] != null) {
                    @SuppressWarnings("unchecked")
                    List<String> values = (List<String>) detached[i + 1];
                    for (int v = 0; v < values.size(); v++) {
                        at = ascii(lines, at, (String) detached[i]);
                        lines[at++] = ':';
                        lines[at++] = ' ';
                        at = ascii(lines, at, values.get(v));
                        lines[at++] = '\r';
                        lines[at++] = '\n';
                    }
                }
            }
            lines[at++] = '\r';
            lines[at] = '\n';
            first.limit(end - 2);
            return List.of(first, ByteBuffer.wrap(lines));
        } catch (Throwable t) {
            PlumeLog.warnRateLimited("jdk-http-client-headers", "could not add trace headers to a java.net.http"
                + " request, it goes without them: " + t);
            return block;
        }
    }

    /** Writes {@code s} as the JDK writes a header block (US-ASCII, anything else as {@code ?}). */
    private static int ascii(byte[] target, int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            target[at++] = c < 0x80 ? (byte) c : (byte) '?';
        }
        return at;
    }

    /**
     * The handles, looked up when the first request is handed off or built (after the instrumentation opened the
     * client's packages), in a static final field the JIT takes as a constant, so that each is compiled as the call it
     * wraps (from a mutable field, every invocation went through its lambda forms).
     */
    private static final class Internals {
        static final Handles HANDLES = lookUp();

        private Internals() {
        }
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
            MethodHandle http1Builder = null;
            try {
                Class<?> http1Request = Class.forName(HTTP1_REQUEST, false, platform);
                http1Builder = MethodHandles.privateLookupIn(http1Request, MethodHandles.lookup())
                    .findGetter(http1Request, "systemHeadersBuilder", builder).asType(GET_TYPE);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                PlumeLog.debug("java.net.http HTTP/1.1 requests get their trace headers through the JDK's own header"
                    + " handling: " + e);
            }
            return new Handles(set, get, map, http1Builder);
        } catch (Throwable t) {
            PlumeLog.warn("java.net.http requests get their trace headers on a copy of the request (more allocation"
                + " per call): this JDK's client does not fit the in-place way (" + t + ")");
            return BROKEN;
        }
    }

    /** {@code http1Builder} reads {@code Http1Request.systemHeadersBuilder}; null when this JDK has no such field. */
    private record Handles(MethodHandle setSystemHeader, MethodHandle systemHeadersBuilder,
                           MethodHandle builderMap, MethodHandle http1Builder) {
    }
}
