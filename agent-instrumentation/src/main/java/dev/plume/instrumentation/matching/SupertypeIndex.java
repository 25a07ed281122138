package dev.plume.instrumentation.matching;

import dev.plume.bootstrap.ResourceBytes;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Which of the watched supertypes (the types subtype targets name, at most 64) a class extends or implements at any
 * depth, found without loading a class: the class's own file gives its direct supertypes, and supertypes not seen before
 * are read as class files through the class loader ({@code getResourceAsStream}), never with {@code loadClass}, which
 * from inside a transformer can deadlock or load classes in the wrong order.
 *
 * <p>Per class loader (held weakly): whether the loader can see each watched type at all (a loader that cannot see
 * {@code javax.servlet.FilterChain} holds no implementation of it, so its classes skip this entirely), and a bounded
 * cache from internal name to the bits of the watched types it descends from. JDK types ({@code java/...}) are
 * resolved once for every loader. Thread-safe.
 */
public final class SupertypeIndex {
    /** Per loader, entries kept (least recently used go first): enough for the supertypes a large application shares. */
    static final int MAX_ENTRIES_PER_LOADER = 8192;
    private static final int MAX_DEPTH = 64;

    private final String[] watched;
    private final boolean watchesJdkTypes;
    private final Map<ClassLoader, PerLoader> loaders = new WeakHashMap<>();
    private final PerLoader bootstrap = new PerLoader(null);
    /** JDK types resolve the same from every loader. */
    private final PerLoader jdk = new PerLoader(null);

    /** @param watchedTypes internal names ({@code a/b/C}) of the supertypes to watch; at most 64 */
    public SupertypeIndex(List<String> watchedTypes) {
        if (watchedTypes.size() > 64) {
            throw new IllegalArgumentException("at most 64 watched supertypes, not " + watchedTypes.size());
        }
        this.watched = watchedTypes.toArray(new String[0]);
        boolean jdkType = false;
        for (String name : watched) {
            jdkType |= name.startsWith("java/");
        }
        this.watchesJdkTypes = jdkType;
    }

    /** The bit of a watched type, as in the masks this index returns. */
    public long bit(String internalName) {
        for (int i = 0; i < watched.length; i++) {
            if (watched[i].equals(internalName)) {
                return 1L << i;
            }
        }
        return 0;
    }

    /**
     * Which of the watched types in {@code bits} the loader can see (so classes it defines might descend from them):
     * one resource probe per type and loader, made the first time that type is asked about there.
     */
    public long visibleFrom(ClassLoader loader, long bits) {
        return perLoader(loader).visible(bits);
    }

    /**
     * The watched types {@code summary}'s class (being defined by {@code loader}) is or descends from; only bits within
     * {@code interesting} are looked for.
     */
    public long supertypesOf(ClassLoader loader, ClassFileSummary summary, long interesting) {
        if (summary.name() == null || interesting == 0) {
            return 0;
        }
        PerLoader state = perLoader(loader);
        long own = bit(summary.name());
        long bits = own | resolve(state, summary.superName(), 0);
        for (String type : summary.interfaces()) {
            bits |= resolve(state, type, 0);
        }
        // cached as a supertype of what comes later (its own bit included); as a match, an interface is not itself
        state.put(summary.name(), bits);
        return (summary.isInterface() ? bits & ~own : bits) & interesting;
    }

    private long resolve(PerLoader state, String name, int depth) {
        if (name == null || depth > MAX_DEPTH) {
            return 0;
        }
        long own = bit(name);
        boolean jdkType = name.startsWith("java/");
        if (jdkType && !watchesJdkTypes) {
            return own; // a JDK type descends from no type outside the JDK
        }
        PerLoader cache = jdkType ? jdk : state;
        Long known = cache.get(name);
        if (known != null) {
            return known;
        }
        ClassFileSummary summary = ClassFileSummary.of(read(jdkType ? null : state.loader(), name));
        long bits = own;
        if (summary.name() != null) {
            bits |= resolve(state, summary.superName(), depth + 1);
            for (String type : summary.interfaces()) {
                bits |= resolve(state, type, depth + 1);
            }
        }
        cache.put(name, bits);
        return bits;
    }

    private static byte[] read(ClassLoader loader, String internalName) {
        String resource = internalName + ".class";
        try (InputStream in = loader != null ? loader.getResourceAsStream(resource)
            : ClassLoader.getPlatformClassLoader().getResourceAsStream(resource)) {
            return in == null ? null : ResourceBytes.read(in);
        } catch (IOException | RuntimeException e) {
            return null; // unreadable: treated as descending from nothing watched
        }
    }

    private PerLoader perLoader(ClassLoader loader) {
        if (loader == null) {
            return bootstrap;
        }
        synchronized (loaders) {
            return loaders.computeIfAbsent(loader, PerLoader::new);
        }
    }

    /** Entries currently cached for a loader (for tests of the bound). */
    int cachedEntries(ClassLoader loader) {
        return perLoader(loader).size();
    }

    /** One loader's view: which watched types it can see, and the bounded cache. */
    private final class PerLoader {
        private final java.lang.ref.WeakReference<ClassLoader> loader;
        private final LinkedHashMap<String, Long> cache = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
                return size() > MAX_ENTRIES_PER_LOADER;
            }
        };
        private long probed;
        private long visible;

        PerLoader(ClassLoader loader) {
            this.loader = new java.lang.ref.WeakReference<>(loader);
        }

        ClassLoader loader() {
            return loader.get();
        }

        synchronized long visible(long bits) {
            long unknown = bits & ~probed;
            if (unknown != 0) {
                ClassLoader target = loader.get();
                for (int i = 0; i < watched.length; i++) {
                    if ((unknown & (1L << i)) == 0) {
                        continue;
                    }
                    String resource = watched[i] + ".class";
                    boolean seen = target != null ? target.getResource(resource) != null
                        : ClassLoader.getPlatformClassLoader().getResource(resource) != null;
                    if (seen) {
                        visible |= 1L << i;
                    }
                }
                probed |= unknown;
            }
            return visible & bits;
        }

        synchronized Long get(String name) {
            return cache.get(name);
        }

        synchronized void put(String name, long bits) {
            cache.put(name, bits);
        }

        synchronized int size() {
            return cache.size();
        }
    }
}
