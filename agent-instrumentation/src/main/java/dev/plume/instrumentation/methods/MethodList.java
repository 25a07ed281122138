package dev.plume.instrumentation.methods;

import dev.plume.bootstrap.config.ConfigKey;
import dev.plume.bootstrap.config.PlumeConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A list of classes and their methods as the OpenTelemetry agent writes one
 * ({@code otel.instrumentation.methods.include}, {@code ...exclude-methods}):
 * {@code my.pkg.Class[method1,method2];my.pkg.Other[*]}, where {@code *} stands for every
 * method the class declares. An entry that does not read so is reported, in one line naming the key and the entry, and
 * left out; the others are used (the OpenTelemetry agent drops the whole list).
 */
public final class MethodList {
    /** In a class's method names: every method it declares. */
    public static final String ALL = "*";
    private static final String EXPECTED = "package.Class[method1,method2] or package.Class[*]";

    /** Binary class names ({@code a.b.C$D}) to method names, in the order given. */
    private final Map<String, Set<String>> methods;

    private MethodList(Map<String, Set<String>> methods) {
        this.methods = methods;
    }

    /** Reads the list set for {@code key}; an empty list when it is not set. */
    public static MethodList read(PlumeConfig config, ConfigKey key) {
        String value = config.getString(key);
        Map<String, Set<String>> methods = new LinkedHashMap<>();
        if (value == null) {
            return new MethodList(methods);
        }
        for (String entry : value.split(";")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            String className = className(trimmed);
            List<String> names = className == null ? null : methodNames(trimmed);
            if (names == null) {
                config.invalid(key, trimmed, EXPECTED, "the other entries");
                continue;
            }
            Set<String> known = methods.get(className);
            if (known == null) {
                known = new LinkedHashSet<>(); // no lambda: this is read in premain
                methods.put(className, known);
            }
            known.addAll(names);
        }
        return new MethodList(methods);
    }

    public boolean isEmpty() {
        return methods.isEmpty();
    }

    /** The classes named, binary names. */
    public Set<String> classNames() {
        return methods.keySet();
    }

    /** The method names given for a class ({@link #ALL} among them for every method), or an empty set. */
    public Set<String> methodsOf(String binaryClassName) {
        Set<String> names = methods.get(binaryClassName);
        return names == null ? Set.of() : names;
    }

    /** Whether the list names this method of this class (by name, every overload), or every method of the class. */
    public boolean contains(String binaryClassName, String methodName) {
        Set<String> names = methods.get(binaryClassName);
        return names != null && (names.contains(ALL) || names.contains(methodName));
    }

    /** The class part of {@code Class[...]}, or null when it is not a binary name. */
    private static String className(String entry) {
        int open = entry.indexOf('[');
        if (open <= 0 || !entry.endsWith("]")) {
            return null;
        }
        String name = entry.substring(0, open).trim();
        if (name.isEmpty() || name.startsWith(".") || name.endsWith(".") || name.contains("..")) {
            return null;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c != '.' && !Character.isJavaIdentifierPart(c)) {
                return null;
            }
        }
        return name;
    }

    /** The names between the brackets (a trailing comma allowed), or null when one is not a name nor {@code *}. */
    private static List<String> methodNames(String entry) {
        String list = entry.substring(entry.indexOf('[') + 1, entry.length() - 1);
        List<String> names = new ArrayList<>();
        String[] parts = list.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            String name = parts[i].trim();
            if (name.isEmpty() && i == parts.length - 1 && i > 0) {
                continue; // "Class[a,b,]"
            }
            if (!name.equals(ALL) && !isIdentifier(name)) {
                return null;
            }
            names.add(name);
        }
        return names;
    }

    private static boolean isIdentifier(String name) {
        if (name.isEmpty() || !Character.isJavaIdentifierStart(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            if (!Character.isJavaIdentifierPart(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
