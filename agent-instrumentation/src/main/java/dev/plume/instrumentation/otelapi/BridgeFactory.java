package dev.plume.instrumentation.otelapi;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.ResourceBytes;
import dev.plume.bootstrap.api.ApiBridge;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Makes the bridge's objects for the API in an application class loader: defines the bridge's classes (read from the
 * agent's own class files) in a {@link BridgeLoader} whose parent is that loader, once per API loader, and returns
 * their singletons. Where it cannot (an API without the trace part, a version the bridge does not fit), one line says so
 * and the application keeps the API's own behaviour.
 */
public final class BridgeFactory implements ApiBridge.Factory {
    static final String BRIDGE_PACKAGE = "dev.plume.instrumentation.otelapi.bridge.";

    /** Per API loader, its bridge loader (held weakly: the bridge objects the API holds keep it alive). */
    private final Map<ClassLoader, WeakReference<BridgeLoader>> loaders = new WeakHashMap<>();

    @Override
    public Object create(String what, Class<?> anchor) {
        ClassLoader api = anchor.getClassLoader();
        if (api == null || api.getResource("io/opentelemetry/api/trace/Span.class") == null) {
            PlumeLog.debug("the OpenTelemetry context in " + describe(api)
                + " has no trace API beside it: it stays the API's own");
            return null;
        }
        String className = ApiBridge.STORAGE.equals(what) ? "PlumeContextStorage" : "PlumeOpenTelemetry";
        try {
            Class<?> bridge = Class.forName(BRIDGE_PACKAGE + className, true, loaderFor(api));
            Object instance = bridge.getMethod("instance").invoke(null);
            PlumeLog.debug("the OpenTelemetry API in " + describe(api) + " is backed by Plume (" + className + ")");
            return instance;
        } catch (Throwable t) {
            Throwable cause = t instanceof java.lang.reflect.InvocationTargetException ? t.getCause() : t;
            PlumeLog.warn("the OpenTelemetry API in " + describe(api) + " does not fit Plume's bridge (" + cause
                + "): the application's own spans stay the API's no-ops");
            return null;
        }
    }

    private BridgeLoader loaderFor(ClassLoader api) {
        synchronized (loaders) {
            WeakReference<BridgeLoader> known = loaders.get(api);
            BridgeLoader loader = known == null ? null : known.get();
            if (loader == null) {
                loader = new BridgeLoader(api);
                loaders.put(api, new WeakReference<>(loader));
            }
            return loader;
        }
    }

    private static String describe(ClassLoader loader) {
        return loader == null ? "the bootstrap class loader" : "class loader " + loader.getClass().getName();
    }

    /**
     * Defines the bridge's classes itself, from the agent's class files; everything else (the API, the JDK, Plume's
     * runtime in the bootstrap loader) comes from its parent, the API's loader.
     */
    static final class BridgeLoader extends ClassLoader {
        static {
            registerAsParallelCapable();
        }

        BridgeLoader(ClassLoader api) {
            super("plume-opentelemetry-api-bridge", api);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith(BRIDGE_PACKAGE)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    byte[] bytes;
                    try (InputStream in = BridgeFactory.class.getClassLoader()
                        .getResourceAsStream(name.replace('.', '/') + ".class")) {
                        if (in == null) {
                            throw new ClassNotFoundException(name);
                        }
                        bytes = ResourceBytes.read(in);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                    loaded = defineClass(name, bytes, 0, bytes.length);
                }
                if (resolve) {
                    resolveClass(loaded);
                }
                return loaded;
            }
        }
    }
}
