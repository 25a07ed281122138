package dev.plume.agent;

import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.ProtectionDomain;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Defines the agent's runtime classes straight into the bootstrap class loader, so every class loader sees the
 * classes that advice calls. Unlike appending a jar to the bootstrap search path, this keeps class-data sharing on for
 * the application and prints nothing. It uses {@code jdk.internal.misc.Unsafe}, which it opens to itself through
 * {@link Instrumentation#redefineModule}, and then opens to the runtime too (Agrona needs it).
 *
 * <p>Which classes, and in which order, is decided when the jar is built ({@link #main}): the index lists the classes
 * the runtime can reach, each after its supertypes, so premain reads just those entries and parses none of them.
 */
final class BootstrapClassDefiner {
    static final String SUFFIX = ".classdata";
    /** The index's entry name, under the prefix: one binary class name per line, in definition order. */
    static final String INDEX = "index";

    private BootstrapClassDefiner() {
    }

    static void defineAll(Instrumentation instrumentation, JarFile jar, String prefix) throws Exception {
        JarEntry indexEntry = jar.getJarEntry(prefix + INDEX);
        if (indexEntry == null) {
            throw new IllegalStateException("the agent jar has no " + prefix + INDEX + " (a broken build)");
        }
        List<String> order = lines(new String(JarEntryBytes.read(jar, indexEntry), StandardCharsets.UTF_8));
        Module javaBase = Object.class.getModule();
        openInternalMisc(instrumentation, javaBase, BootstrapClassDefiner.class.getModule());
        Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe");
        Object unsafe = unsafeClass.getMethod("getUnsafe").invoke(null);
        Method define = unsafeClass.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
            ClassLoader.class, ProtectionDomain.class);
        Class<?> last = null;
        for (String name : order) {
            JarEntry entry = jar.getJarEntry(prefix + name.replace('.', '/') + SUFFIX);
            if (entry == null) {
                throw new IllegalStateException("the agent jar lacks " + name + ", listed in its index");
            }
            byte[] bytes = JarEntryBytes.read(jar, entry);
            last = (Class<?>) define.invoke(unsafe, name, bytes, 0, bytes.length, null, null);
        }
        if (last != null) {
            openInternalMisc(instrumentation, javaBase, last.getModule());
        }
    }

    private static void openInternalMisc(Instrumentation instrumentation, Module javaBase, Module target) {
        instrumentation.redefineModule(javaBase, Set.of(), Map.of("jdk.internal.misc", Set.of(target)),
            Map.of("jdk.internal.misc", Set.of(target)), Set.of(), Map.of());
    }

    private static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                lines.add(line.trim());
            }
        }
        return lines;
    }

    /**
     * At build time: writes the index for the runtime's class files under {@code args[0]} (a directory of
     * {@code .class} files, the bootstrap part of the agent) to {@code args[1]}.
     */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]);
        Map<String, byte[]> classes = new HashMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String path = root.relativize(file).toString().replace(java.io.File.separatorChar, '/');
                if (path.endsWith(".class") && !path.startsWith("dev/plume/agent/")) {
                    classes.put(path.substring(0, path.length() - ".class".length()).replace('/', '.'),
                        Files.readAllBytes(file));
                }
            }
        }
        Files.writeString(Path.of(args[1]), String.join("\n", definitionOrder(classes)) + "\n");
    }

    /**
     * The classes Plume's runtime can reach, each after its supertypes: the relocated libraries hold classes the
     * bootstrap loader could not link (Agrona's code generation extends {@code javax.tools} types), and fewer classes
     * start faster.
     */
    static List<String> definitionOrder(Map<String, byte[]> classes) {
        Set<String> reachable = new LinkedHashSet<>();
        ArrayDeque<String> pending = new ArrayDeque<>();
        for (String name : new java.util.TreeSet<>(classes.keySet())) {
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
        Set<String> ordered = new LinkedHashSet<>();
        for (String name : reachable) {
            addWithSupertypes(name, classes, ordered, new java.util.HashSet<>());
        }
        return new ArrayList<>(ordered);
    }

    private static void addWithSupertypes(String name, Map<String, byte[]> classes, Set<String> ordered,
                                          Set<String> visiting) {
        if (ordered.contains(name) || !visiting.add(name)) {
            return;
        }
        for (String supertype : ClassFileHeader.supertypes(classes.get(name))) {
            if (classes.containsKey(supertype)) {
                addWithSupertypes(supertype, classes, ordered, visiting);
            }
        }
        ordered.add(name);
    }
}
