package dev.plume.agent;

import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The isolated class loader for instrumentation, export and their libraries (ByteBuddy, OkHttp, ...), read from
 * {@code plume/inst/} in the agent jar. The application never sees these classes; they see the JDK (through the
 * platform loader) and the bootstrap runtime.
 */
final class AgentClassLoader extends ClassLoader {
    static {
        registerAsParallelCapable();
    }

    private final JarFile jar;
    private final String prefix;
    private final String sharedPrefix;
    private final String jarUrl;
    private final ProtectionDomain protectionDomain;

    /**
     * @param prefix       where this loader's classes are in the jar
     * @param sharedPrefix where the bootstrap runtime's libraries are: classes of those the runtime never needed
     *                     (so the bootstrap loader lacks them) are defined here instead
     */
    AgentClassLoader(Path agentJar, JarFile jar, String prefix, String sharedPrefix) throws MalformedURLException {
        super("plume", ClassLoader.getPlatformClassLoader());
        this.jar = jar;
        this.prefix = prefix;
        this.sharedPrefix = sharedPrefix;
        URL location = agentJar.toUri().toURL();
        this.jarUrl = "jar:" + location + "!/";
        this.protectionDomain = new ProtectionDomain(new CodeSource(location, (Certificate[]) null), null, this, null);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith("dev.plume.bootstrap.")) {
            // The runtime lives in the bootstrap loader: one copy, shared with the advice in application classes.
            return Class.forName(name, false, null);
        }
        if (name.startsWith("dev.plume.shaded.agrona.")) {
            // The ring buffer's classes must be the bootstrap's copy; Agrona classes only the exporter uses are
            // defined here, from the one copy of Agrona the jar holds (beside the bootstrap runtime).
            try {
                return Class.forName(name, false, null);
            } catch (ClassNotFoundException notInBootstrap) {
                synchronized (getClassLoadingLock(name)) {
                    Class<?> loaded = findLoadedClass(name);
                    return loaded != null ? loaded : defineFromJar(name, sharedPrefix);
                }
            }
        }
        return super.loadClass(name, resolve);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded != null) {
                return loaded;
            }
            return defineFromJar(name, prefix);
        }
    }

    private Class<?> defineFromJar(String name, String entryPrefix) throws ClassNotFoundException {
        JarEntry entry = jar.getJarEntry(entryPrefix + name.replace('.', '/') + ".classdata");
        if (entry == null) {
            throw new ClassNotFoundException(name);
        }
        try {
            byte[] bytes = JarEntryBytes.read(jar, entry);
            definePackageFor(name);
            return defineClass(name, bytes, 0, bytes.length, protectionDomain);
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
    }

    private void definePackageFor(String className) {
        int dot = className.lastIndexOf('.');
        if (dot > 0) {
            String packageName = className.substring(0, dot);
            if (getDefinedPackage(packageName) == null) {
                try {
                    definePackage(packageName, null, null, null, null, null, null, null);
                } catch (IllegalArgumentException raced) {
                    // defined concurrently
                }
            }
        }
    }

    /**
     * Class files are served under their usual names so ByteBuddy can read advice bytecode, and the runtime's too
     * (defined straight into the bootstrap loader, they have no class file anywhere else), which advice refers to.
     */
    @Override
    protected URL findResource(String name) {
        String entryName = entryName(name);
        if (jar.getJarEntry(entryName) == null) {
            return null;
        }
        try {
            return new URL(jarUrl + entryName);
        } catch (MalformedURLException e) {
            return null;
        }
    }

    private String entryName(String resourceName) {
        if (!resourceName.endsWith(".class")) {
            return prefix + resourceName;
        }
        String base = resourceName.substring(0, resourceName.length() - ".class".length()) + ".classdata";
        return resourceName.startsWith("dev/plume/bootstrap/") ? sharedPrefix + base : prefix + base;
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        URL url = findResource(name);
        return url == null ? Collections.emptyEnumeration() : Collections.enumeration(Collections.singletonList(url));
    }

    @Override
    public InputStream getResourceAsStream(String name) {
        JarEntry entry = jar.getJarEntry(entryName(name));
        if (entry == null) {
            return super.getResourceAsStream(name);
        }
        try {
            return jar.getInputStream(entry);
        } catch (IOException e) {
            return null;
        }
    }
}
