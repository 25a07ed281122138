package dev.plume.bootstrap.api;

/**
 * Where advice in the application's copy of the OpenTelemetry API ({@code GlobalOpenTelemetry.get()},
 * {@code ContextStorage.get()}) finds Plume's implementation of that API. The bridge's classes implement the API's
 * interfaces, so they are defined in a loader beside the application's API (made by the agent's {@link Factory}), once
 * per API class and cached here; until the agent installs a factory, and wherever the bridge does not fit, the API's
 * own object is returned unchanged.
 */
public final class ApiBridge {
    /** What the bridge provides. */
    public static final String STORAGE = "storage";
    public static final String OPEN_TELEMETRY = "open-telemetry";

    /** Makes a bridge object for the API that {@code anchor} belongs to, or returns null where it cannot. */
    public interface Factory {
        Object create(String what, Class<?> anchor);
    }

    private static final Object NONE = new Object();
    private static volatile Factory factory;
    /** Set on a thread while it makes a bridge object: API calls made meanwhile get the API's own objects. */
    private static final ThreadLocal<Object> MAKING = new ThreadLocal<>();

    private static final ClassValue<Object> STORAGES = new Made(STORAGE);
    private static final ClassValue<Object> OPEN_TELEMETRIES = new Made(OPEN_TELEMETRY);

    private ApiBridge() {
    }

    public static void install(Factory bridgeFactory) {
        factory = bridgeFactory;
    }

    /** Plume's {@code ContextStorage} for the API of {@code anchor} ({@code ContextStorage.class}), or {@code original}. */
    public static Object contextStorage(Object original, Class<?> anchor) {
        return bridged(STORAGES, original, anchor);
    }

    /** Plume's {@code OpenTelemetry} for the API of {@code anchor} ({@code GlobalOpenTelemetry.class}), or {@code original}. */
    public static Object openTelemetry(Object original, Class<?> anchor) {
        return bridged(OPEN_TELEMETRIES, original, anchor);
    }

    private static Object bridged(ClassValue<Object> made, Object original, Class<?> anchor) {
        if (factory == null || anchor == null || MAKING.get() != null) {
            return original;
        }
        Object bridged = made.get(anchor);
        return bridged == NONE ? original : bridged;
    }

    private static final class Made extends ClassValue<Object> {
        private final String what;

        Made(String what) {
            this.what = what;
        }

        @Override
        protected Object computeValue(Class<?> anchor) {
            MAKING.set(Boolean.TRUE);
            try {
                Object bridged = factory.create(what, anchor);
                return bridged != null ? bridged : NONE;
            } catch (Throwable t) {
                return NONE;
            } finally {
                MAKING.remove();
            }
        }
    }
}
