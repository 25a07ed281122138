package dev.plume.bootstrap.http;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.trace.SpanSlot;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Consumer;

/**
 * Ends the CLIENT span of one reactive exchange (Spring {@code WebClient}'s {@code ExchangeFunction}) from the signals
 * of the {@code Mono} the exchange returns: the advice registers this one object with {@code doOnSuccess} and
 * {@code doOnError} (as a {@link Consumer}: the response, or null for an empty completion, or the failure) and
 * {@code doOnCancel} (as a {@link Runnable}). The first signal ends the span, once; the application's subscriber
 * sees the signal after it. The response's type belongs to the application's loader, so its status is read through a
 * method handle found once per response class.
 */
public final class ReactiveExchangeSpan implements Consumer<Object>, Runnable {
    private static final String CLIENT_RESPONSE = "org.springframework.web.reactive.function.client.ClientResponse";
    private static final AtomicIntegerFieldUpdater<ReactiveExchangeSpan> ENDED =
        AtomicIntegerFieldUpdater.newUpdater(ReactiveExchangeSpan.class, "ended");
    /** {@code (Object) -> int}: the response's status code, or null when the class has none the agent can read. */
    private static final ClassValue<MethodHandle> STATUS_CODE = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            return statusCodeOf(type);
        }
    };

    private final SpanSlot span;
    private volatile int ended;

    private ReactiveExchangeSpan(SpanSlot span) {
        this.span = span;
    }

    /** What ends {@code span} (a detached CLIENT span) when the exchange's {@code Mono} signals. */
    public static ReactiveExchangeSpan of(SpanSlot span) {
        return new ReactiveExchangeSpan(span);
    }

    /** The response ({@code doOnSuccess}; null when the exchange ended empty) or the failure ({@code doOnError}). */
    @Override
    public void accept(Object signal) {
        if (!ENDED.compareAndSet(this, 0, 1)) {
            return;
        }
        try {
            if (signal instanceof Throwable) {
                HttpSpans.endClient(span, -1, (Throwable) signal);
            } else {
                HttpSpans.endClient(span, statusOf(signal), null);
            }
        } catch (Throwable t) {
            PlumeLog.warnRateLimited("reactive-client-end", "could not end a reactive HTTP client span: " + t);
        }
    }

    /** Cancelled ({@code doOnCancel}: a timeout, {@code take}, the subscriber gone): the span ends without a status. */
    @Override
    public void run() {
        if (ENDED.compareAndSet(this, 0, 1)) {
            span.end();
        }
    }

    private static int statusOf(Object response) {
        if (response == null) {
            return -1;
        }
        MethodHandle status = STATUS_CODE.get(response.getClass());
        if (status == null) {
            return -1;
        }
        try {
            return (int) status.invokeExact(response);
        } catch (Throwable t) {
            PlumeLog.warnRateLimited("reactive-client-status", "could not read a reactive HTTP client status: " + t);
            return -1;
        }
    }

    /**
     * {@code rawStatusCode()} where it exists (5.3 to 6.x: any code, where 5.3's {@code statusCode()} throws for one it
     * does not know), else {@code statusCode().value()}; both through the public {@code ClientResponse} interface,
     * since the implementing class is not public.
     */
    private static MethodHandle statusCodeOf(Class<?> type) {
        Class<?> response = clientResponseInterface(type);
        if (response == null) {
            return null;
        }
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        MethodType objectToInt = MethodType.methodType(int.class, Object.class);
        try {
            try {
                return lookup.unreflect(response.getMethod("rawStatusCode")).asType(objectToInt);
            } catch (NoSuchMethodException removed) {
                Method statusCode = response.getMethod("statusCode");
                Method value = statusCode.getReturnType().getMethod("value");
                return MethodHandles.filterReturnValue(lookup.unreflect(statusCode), lookup.unreflect(value))
                    .asType(objectToInt);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            PlumeLog.warn("reactive HTTP client spans of " + type.getName() + " get no status code: " + e);
            return null;
        }
    }

    private static Class<?> clientResponseInterface(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> implemented : c.getInterfaces()) {
                if (implemented.getName().equals(CLIENT_RESPONSE)) {
                    return implemented;
                }
                Class<?> deeper = clientResponseInterface(implemented);
                if (deeper != null) {
                    return deeper;
                }
            }
        }
        return null;
    }
}
