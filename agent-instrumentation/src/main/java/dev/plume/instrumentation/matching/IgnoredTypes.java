package dev.plume.instrumentation.matching;

import java.util.ArrayList;
import java.util.List;

/**
 * Classes that subtype and annotation matching never looks at: the JDK, the agent and its relocated libraries,
 * classes generated at run time (lambdas, proxies, CGLIB subclasses), and what the user excluded with
 * {@code otel.javaagent.exclude-classes} (which exact-name targets honour too). Checked on internal names, by prefix
 * and substring, before any byte of the class file is read.
 */
public final class IgnoredTypes {
    private static final String[] PREFIXES = {
        "java/", "javax/crypto/", "javax/net/", "javax/security/", "jdk/", "sun/", "com/sun/",
        // the agent's own packages (not all of dev/plume: applications may live there too)
        "dev/plume/agent/", "dev/plume/bootstrap/", "dev/plume/instrumentation/", "dev/plume/export/",
        "dev/plume/shaded/",
    };
    private static final String[] GENERATED = {"$$Lambda", "$Proxy", "$$EnhancerBy", "$$FastClassBy", "$$SpringCGLIB$$",
        "CGLIB$$", "$ByteBuddy$", "$HibernateProxy$"};

    private final String[] excludedPrefixes;
    private final String[] excludedNames;

    private IgnoredTypes(String[] excludedPrefixes, String[] excludedNames) {
        this.excludedPrefixes = excludedPrefixes;
        this.excludedNames = excludedNames;
    }

    /**
     * @param excludes {@code otel.javaagent.exclude-classes} entries: binary names, or prefixes ending in {@code *}
     *                 ({@code com.example.*})
     */
    public static IgnoredTypes excluding(List<String> excludes) {
        List<String> prefixes = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String entry : excludes) {
            String internal = entry.trim().replace('.', '/');
            if (internal.endsWith("*")) {
                prefixes.add(internal.substring(0, internal.length() - 1));
            } else if (!internal.isEmpty()) {
                names.add(internal);
            }
        }
        return new IgnoredTypes(prefixes.toArray(new String[0]), names.toArray(new String[0]));
    }

    /** Whether the class is the JDK's own ({@code javax/} is not: {@code javax.servlet} is a library). */
    public static boolean isJdk(String internalName) {
        return internalName.startsWith("java/") || internalName.startsWith("jdk/") || internalName.startsWith("sun/")
            || internalName.startsWith("com/sun/");
    }

    /** Whether matching by supertype or annotation skips this class. */
    public boolean isIgnored(String internalName) {
        for (String prefix : PREFIXES) {
            if (internalName.startsWith(prefix)) {
                return true;
            }
        }
        for (String marker : GENERATED) {
            if (internalName.contains(marker)) {
                return true;
            }
        }
        return isExcluded(internalName);
    }

    /** Whether the user excluded this class from every instrumentation. */
    public boolean isExcluded(String internalName) {
        for (String prefix : excludedPrefixes) {
            if (internalName.startsWith(prefix)) {
                return true;
            }
        }
        for (String name : excludedNames) {
            if (internalName.equals(name) || internalName.startsWith(name + "$")) {
                return true;
            }
        }
        return false;
    }
}
