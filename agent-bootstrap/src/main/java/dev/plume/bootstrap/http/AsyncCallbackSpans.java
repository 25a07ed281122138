package dev.plume.bootstrap.http;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.trace.SpanSlot;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The CLIENT span of an asynchronous call whose library reports the outcome to a callback it defines
 * ({@code completed(result)}, {@code failed(exception)}, {@code cancelled()}: Apache HttpClient's
 * {@code FutureCallback}, 4 and 5). The call's entry ({@link #begin}) swaps the application's callback for a proxy of
 * the same interface, made in the library's class loader (no class is injected there); the request, once the library
 * hands it over on the calling thread ({@link #requestSent}: the first of the call's requests on that thread), starts a
 * detached span under the caller's context; the proxy ends it, once, and then calls the application's callback as the
 * library would have. Asynchronous calls are rare next to synchronous ones, so the proxy and reading the result's
 * status reflectively cost what matters little.
 */
public final class AsyncCallbackSpans implements InvocationHandler {
    private static final ThreadLocal<AsyncCallbackSpans> PENDING = new ThreadLocal<>();
    private static final ClassValue<Method[]> RESPONSE_METHODS = new ClassValue<>() {
        @Override
        protected Method[] computeValue(Class<?> type) {
            // HttpClient 5: getCode, getVersion (a Message: getHead); HttpClient 4: getStatusLine, then on it
            // getStatusCode and getProtocolVersion
            return new Method[] {publicMethod(type, "getCode"), publicMethod(type, "getHead"),
                publicMethod(type, "getVersion"), publicMethod(type, "getStatusLine"),
                publicMethod(type, "getStatusCode"), publicMethod(type, "getProtocolVersion")};
        }
    };

    private final int scopeId;
    private final Object callback;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile SpanSlot span;
    /** The call is part of another library's HTTP call, whose span it carries (calling thread only). */
    private boolean joined;

    private AsyncCallbackSpans(int scopeId, Object callback) {
        this.scopeId = scopeId;
        this.callback = callback;
    }

    /**
     * Entering the library's asynchronous call on this thread: returns the callback to pass on in place of
     * {@code callback} (which may be null), or {@code callback} itself when no proxy can be made.
     */
    public static Object begin(int scopeId, Class<?> callbackType, Object callback) {
        try {
            AsyncCallbackSpans call = new AsyncCallbackSpans(scopeId, callback);
            Object proxy = Proxy.newProxyInstance(callbackType.getClassLoader(), new Class<?>[] {callbackType}, call);
            PENDING.set(call);
            return proxy;
        } catch (RuntimeException | LinkageError e) {
            PlumeLog.warnRateLimited("async-callback", "an asynchronous HTTP call runs untraced: " + e);
            return callback;
        }
    }

    /**
     * The library sends the request of the call begun on this thread: starts its span (only the first request of the
     * call, only on the calling thread) and returns it, for the advice to add the propagators' headers; else null.
     * A call made under another library's HTTP call ({@link HttpSpans#enclosingClient}) gets no span: that call's span
     * is returned for the headers (null when the request carries them already), and the proxy ends nothing.
     */
    public static SpanSlot requestSent(String method, String scheme, String host, int port, String pathAndQuery) {
        AsyncCallbackSpans call = PENDING.get();
        if (call == null || call.span != null || call.joined || call.ended.get()) {
            return null;
        }
        SpanSlot enclosing = HttpSpans.enclosingClient();
        if (enclosing != null) {
            call.joined = true;
            return HttpSpans.sentContext(enclosing, null);
        }
        SpanSlot started = HttpSpans.startClient(call.scopeId, method, scheme, host, port, pathAndQuery, true);
        call.span = started;
        return started;
    }

    /** Leaving the call on this thread; a call that threw has failed, and its span (if it has one) ends with it. */
    public static void end(Throwable error) {
        AsyncCallbackSpans call = PENDING.get();
        PENDING.remove();
        if (call != null && error != null) {
            call.finish(-1, null, error);
        }
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        int count = args == null ? 0 : args.length;
        if (name.equals("hashCode") && count == 0) {
            return System.identityHashCode(proxy);
        }
        if (name.equals("equals") && count == 1) {
            return proxy == args[0];
        }
        if (name.equals("toString") && count == 0) {
            return "plume asynchronous call " + callback;
        }
        try {
            if (name.equals("completed") && count == 1) {
                completed(args[0]);
            } else if (name.equals("failed") && count == 1 && args[0] instanceof Throwable) {
                finish(-1, null, (Throwable) args[0]);
            } else if (name.equals("cancelled") && count == 0) {
                finish(-1, null, null);
            }
        } catch (Throwable t) {
            PlumeLog.warnRateLimited("async-callback-end", "could not end an asynchronous HTTP call's span: " + t);
        }
        if (callback == null) {
            return null;
        }
        try {
            return method.invoke(callback, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private void completed(Object result) throws ReflectiveOperationException {
        Object response = result;
        Method[] methods = result != null ? RESPONSE_METHODS.get(result.getClass()) : null;
        if (methods != null && methods[0] == null && methods[1] != null) {
            response = methods[1].invoke(result); // a Message: its head is the response
            methods = response != null ? RESPONSE_METHODS.get(response.getClass()) : null;
        }
        int status = -1;
        String protocol = null;
        if (methods != null && methods[0] != null) {
            status = (Integer) methods[0].invoke(response);
            Object version = methods[2] != null ? methods[2].invoke(response) : null;
            protocol = version != null ? HttpSemantics.clientProtocolVersion(version.toString()) : null;
        } else if (methods != null && methods[3] != null) {
            Object statusLine = methods[3].invoke(response);
            Method[] line = statusLine != null ? RESPONSE_METHODS.get(statusLine.getClass()) : null;
            if (line != null && line[4] != null) {
                status = (Integer) line[4].invoke(statusLine);
                Object version = line[5] != null ? line[5].invoke(statusLine) : null;
                protocol = version != null ? HttpSemantics.clientProtocolVersion(version.toString()) : null;
            }
        }
        finish(status, protocol, null);
    }

    private void finish(int status, String protocol, Throwable error) {
        SpanSlot started = span;
        if (started != null && ended.compareAndSet(false, true)) {
            HttpSpans.endClient(started, status, protocol, 0, error);
        }
    }

    private static Method publicMethod(Class<?> type, String name) {
        try {
            Method method = type.getMethod(name);
            method.setAccessible(true); // a public method of a class that may not be public
            return method;
        } catch (NoSuchMethodException | RuntimeException e) {
            return null;
        }
    }
}
