package dev.plume.instrumentation.weave;

import java.util.Map;

/**
 * Defines the given class files itself (so the JVM verifies them, as it does every class outside the boot loader) and
 * delegates everything else to the test class loader.
 */
public final class WovenLoader extends ClassLoader {
    private final Map<String, byte[]> classes;

    public WovenLoader(Map<String, byte[]> classes) {
        super("woven", WovenLoader.class.getClassLoader());
        this.classes = classes;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded != null) {
                return loaded;
            }
            byte[] bytes = classes.get(name);
            if (bytes != null) {
                return defineClass(name, bytes, 0, bytes.length);
            }
            return super.loadClass(name, resolve);
        }
    }
}
