package dev.plume.instrumentation.methods;

import java.util.List;

/**
 * The four advice classes that give a woven method its span, and which one a method gets: asynchronous when its
 * descriptor says it returns a {@code CompletableFuture} or {@code CompletionStage} (as the OpenTelemetry agent
 * decides, by the declared type), with the arguments when some of them become attributes.
 */
public final class MethodSpanAdvices {
    /** Every advice class {@link #forMethod} may name. */
    public static final List<Class<?>> ALL = List.of(MethodSpanAdvice.class, MethodSpanArgumentsAdvice.class,
        AsyncMethodSpanAdvice.class, AsyncMethodSpanArgumentsAdvice.class);
    /** The two that read no arguments. */
    public static final List<Class<?>> WITHOUT_ARGUMENTS = List.of(MethodSpanAdvice.class,
        AsyncMethodSpanAdvice.class);

    private MethodSpanAdvices() {
    }

    /** The advice for a method with this descriptor. */
    public static Class<?> forMethod(String descriptor, boolean withArguments) {
        if (isAsync(descriptor)) {
            return withArguments ? AsyncMethodSpanArgumentsAdvice.class : AsyncMethodSpanAdvice.class;
        }
        return withArguments ? MethodSpanArgumentsAdvice.class : MethodSpanAdvice.class;
    }

    /** Whether the method is declared to return a {@code CompletableFuture} or a {@code CompletionStage}. */
    public static boolean isAsync(String descriptor) {
        return descriptor.endsWith(")Ljava/util/concurrent/CompletableFuture;")
            || descriptor.endsWith(")Ljava/util/concurrent/CompletionStage;");
    }

    /**
     * Whether a method may get a span at all: not a constructor or class initializer, not made by the compiler (a
     * bridge method calls the real one, which has its own span; a lambda's body is synthetic).
     */
    public static boolean isTraceable(int access, String name) {
        return (access & (0x1000 /* ACC_SYNTHETIC */ | 0x0040 /* ACC_BRIDGE */)) == 0 && name.charAt(0) != '<';
    }
}
