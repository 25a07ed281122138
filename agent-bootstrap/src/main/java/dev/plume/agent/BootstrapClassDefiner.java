package dev.plume.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.security.ProtectionDomain;
import java.util.Enumeration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Defines the agent's runtime classes straight into the bootstrap class loader, so every class loader sees the
 * classes that advice calls. Unlike appending a jar to the bootstrap search path, this keeps class-data sharing on for
 * the application and prints nothing. It uses {@code jdk.internal.misc.Unsafe}, which it opens to itself through
 * {@link Instrumentation#redefineModule}, and then opens to the runtime too (Agrona needs it).
 */
final class BootstrapClassDefiner {
    private static final String SUFFIX = ".classdata";

    private BootstrapClassDefiner() {
    }

    static void defineAll(Instrumentation instrumentation, JarFile jar, String prefix) throws Exception {
        Module javaBase = Object.class.getModule();
        openInternalMisc(instrumentation, javaBase, BootstrapClassDefiner.class.getModule());
        Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe");
        Object unsafe = unsafeClass.getMethod("getUnsafe").invoke(null);
        Method define = unsafeClass.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
            ClassLoader.class, ProtectionDomain.class);

        Map<String, byte[]> classes = readClasses(jar, prefix);
        Map<String, Class<?>> defined = new HashMap<>();
        for (String name : reachableFromRuntime(classes)) {
            defineWithSupertypes(name, classes, defined, unsafe, define);
        }
        if (!defined.isEmpty()) {
            openInternalMisc(instrumentation, javaBase, defined.values().iterator().next().getModule());
        }
    }

    private static void openInternalMisc(Instrumentation instrumentation, Module javaBase, Module target) {
        instrumentation.redefineModule(javaBase, Set.of(), Map.of("jdk.internal.misc", Set.of(target)),
            Map.of("jdk.internal.misc", Set.of(target)), Set.of(), Map.of());
    }

    private static Map<String, byte[]> readClasses(JarFile jar, String prefix) throws IOException {
        Map<String, byte[]> classes = new HashMap<>();
        Enumeration<JarEntry> entries = jar.entries();
        while (entries.hasMoreElements()) {
            JarEntry entry = entries.nextElement();
            String path = entry.getName();
            if (path.startsWith(prefix) && path.endsWith(SUFFIX)) {
                String name = path.substring(prefix.length(), path.length() - SUFFIX.length()).replace('/', '.');
                try (InputStream in = jar.getInputStream(entry)) {
                    classes.put(name, in.readAllBytes());
                }
            }
        }
        return classes;
    }

    /**
     * Only the classes Plume's runtime can reach are defined: the relocated libraries hold classes the bootstrap
     * loader could not link (Agrona's code generation extends {@code javax.tools} types), and fewer classes start faster.
     */
    private static Set<String> reachableFromRuntime(Map<String, byte[]> classes) {
        Set<String> reachable = new LinkedHashSet<>();
        ArrayDeque<String> pending = new ArrayDeque<>();
        for (String name : classes.keySet()) {
            if (name.startsWith("dev.plume.") && !name.startsWith("dev.plume.shaded.")) {
                reachable.add(name);
                pending.add(name);
            }
        }
        while (!pending.isEmpty()) {
            for (String referenced : ClassFileHeader.referencedClasses(classes.get(pending.poll()))) {
                if (classes.containsKey(referenced) && reachable.add(referenced)) {
                    pending.add(referenced);
                }
            }
        }
        return reachable;
    }

    /** A class's superclass and interfaces must exist before it is defined: define those first (depth-first). */
    private static void defineWithSupertypes(String name, Map<String, byte[]> classes, Map<String, Class<?>> defined,
                                             Object unsafe, Method define) throws Exception {
        if (defined.containsKey(name)) {
            return;
        }
        byte[] bytes = classes.get(name);
        defined.put(name, null);
        for (String supertype : ClassFileHeader.supertypes(bytes)) {
            if (classes.containsKey(supertype)) {
                defineWithSupertypes(supertype, classes, defined, unsafe, define);
            }
        }
        Class<?> type = (Class<?>) define.invoke(unsafe, name, bytes, 0, bytes.length, null, null);
        defined.put(name, type);
    }
}
