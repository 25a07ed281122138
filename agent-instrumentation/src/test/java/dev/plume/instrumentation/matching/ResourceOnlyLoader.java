package dev.plume.instrumentation.matching;

import java.io.InputStream;
import java.net.URL;
import java.util.concurrent.atomic.AtomicInteger;

/** Serves the test classes' files as resources, and fails the test if anyone asks it to load a class. */
final class ResourceOnlyLoader extends ClassLoader {
    final AtomicInteger resourceReads = new AtomicInteger();

    ResourceOnlyLoader() {
        super("resource-only", null);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        throw new AssertionError("matching loaded a class: " + name);
    }

    @Override
    public URL getResource(String name) {
        return ResourceOnlyLoader.class.getClassLoader().getResource(name);
    }

    @Override
    public InputStream getResourceAsStream(String name) {
        resourceReads.incrementAndGet();
        return ResourceOnlyLoader.class.getClassLoader().getResourceAsStream(name);
    }
}
