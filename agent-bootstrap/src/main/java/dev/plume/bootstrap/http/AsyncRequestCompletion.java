package dev.plume.bootstrap.http;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.trace.SpanSlot;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Ends the SERVER span of an asynchronous servlet request ({@code startAsync}) when the request completes, on whatever
 * thread completes it. It is an {@code AsyncListener} (javax or jakarta, the type the advice passes) made as a proxy
 * in the application's class loader, so no helper class has to be injected there; events are rare (one per async
 * request), so reading them reflectively costs nothing that matters.
 */
public final class AsyncRequestCompletion implements InvocationHandler {
    private final SpanSlot span;
    private final String servletPackage;
    private Throwable error;
    private boolean ended;

    private AsyncRequestCompletion(SpanSlot span, String servletPackage) {
        this.span = span;
        this.servletPackage = servletPackage;
    }

    /**
     * A listener to add to the request's {@code AsyncContext}.
     *
     * @param listenerType {@code javax.servlet.AsyncListener} or {@code jakarta.servlet.AsyncListener}
     */
    public static Object listener(Class<?> listenerType, SpanSlot span) {
        String name = listenerType.getName();
        return Proxy.newProxyInstance(listenerType.getClassLoader(), new Class<?>[] {listenerType},
            new AsyncRequestCompletion(span, name.substring(0, name.lastIndexOf('.') + 1)));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) {
        switch (method.getName()) {
            case "onComplete" -> end(args[0]);
            case "onError" -> remember(throwable(args[0]));
            case "onTimeout" -> remember(new java.util.concurrent.TimeoutException("asynchronous request timed out"));
            case "onStartAsync" -> reRegister(proxy, args[0]);
            case "hashCode" -> {
                return System.identityHashCode(proxy);
            }
            case "equals" -> {
                return proxy == args[0];
            }
            case "toString" -> {
                return "plume async request completion";
            }
            default -> {
                return null;
            }
        }
        return null;
    }

    private synchronized void remember(Throwable failure) {
        if (error == null) {
            error = failure;
        }
    }

    private void end(Object event) {
        Throwable failure;
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            failure = error;
        }
        try {
            int status = status(event);
            HttpSpans.endServer(span, failure != null && status < 400 ? 500 : status, failure);
        } catch (Throwable t) {
            PlumeLog.warnRateLimited("async-server-end", "could not end an asynchronous request's span: " + t);
        }
    }

    /** A new {@code startAsync} during the request: listeners must be added again to hear its events. */
    private void reRegister(Object proxy, Object event) {
        try {
            Object context = event.getClass().getMethod("getAsyncContext").invoke(event);
            Class<?> listenerType = proxy.getClass().getInterfaces()[0];
            // through the interface: the container's own class may not be public
            Class<?> asyncContext = Class.forName(servletPackage + "AsyncContext", false, listenerType.getClassLoader());
            asyncContext.getMethod("addListener", listenerType).invoke(context, proxy);
        } catch (ReflectiveOperationException | RuntimeException e) {
            PlumeLog.warnRateLimited("async-server-restart", "could not follow a restarted asynchronous request: " + e);
        }
    }

    private int status(Object event) {
        try {
            Object response = event.getClass().getMethod("getSuppliedResponse").invoke(event);
            Class<?> httpResponse = Class.forName(servletPackage + "http.HttpServletResponse", false,
                event.getClass().getClassLoader());
            if (httpResponse.isInstance(response)) {
                return (int) httpResponse.getMethod("getStatus").invoke(response);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // the status is unknown; the span ends without one
        }
        return -1;
    }

    private static Throwable throwable(Object event) {
        try {
            return (Throwable) event.getClass().getMethod("getThrowable").invoke(event);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
