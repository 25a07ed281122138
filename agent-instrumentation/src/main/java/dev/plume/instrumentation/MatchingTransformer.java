package dev.plume.instrumentation;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.trace.Tracer;
import dev.plume.instrumentation.matching.ClassFileSummary;
import dev.plume.instrumentation.matching.IgnoredTypes;
import dev.plume.instrumentation.matching.SupertypeIndex;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's class file transformer. Each stage is cheaper than the next and rejects most of what reaches it:
 * <ol>
 * <li>exact names: one hash lookup (nearly every class misses here and, with nothing else to look at, returns);</li>
 * <li>ignored names: the JDK, the agent itself, generated classes, {@code otel.javaagent.exclude-classes};</li>
 * <li>the class file read in place: its constant pool (supertypes, annotation descriptors) and its methods table, since
 *     advice applies only to methods a class declares (a class declaring no advised method stops here);</li>
 * <li>per class loader, whether it can see the watched supertype at all (one resource probe each, on first need);</li>
 * <li>supertypes not decided by the class file are read as class files through the loader, cached per loader,
 *     bounded;</li>
 * <li>only a real candidate reaches the rewriter ({@link ClassRewriter}): first the check that the advice fits the
 *     library version in that loader (once per loader and target), then the rewrite, several targets' advice applied
 *     in turn to one class.</li>
 * </ol>
 * The rewriter's classes (ASM) are not loaded until there is reason to. A failure leaves the class as it was and is
 * logged.
 */
final class MatchingTransformer implements ClassFileTransformer {
    /** At the latest this long after start, early-loaded targets are rewritten in the background. */
    static final long BACKGROUND_DELAY_MILLIS = 10_000;
    /** Supertypes the index can watch (one bit each). */
    private static final int MAX_WATCHED = 64;

    private final Instrumentation instrumentation;
    private final IgnoredTypes ignored;
    /** Internal names of exactly named classes to their targets. */
    private final Map<String, List<TypeTarget>> byName = new HashMap<>();
    private final List<TypeTarget> subtypeTargets = new ArrayList<>();
    private final List<TypeTarget> annotationTargets = new ArrayList<>();
    /** Annotation descriptors ({@code La/b/C;}), one per annotation target name. */
    private final Map<TypeTarget, List<String>> annotationDescriptors = new IdentityHashMap<>();
    private final SupertypeIndex supertypes;
    private final long[] targetBits;
    private final AtomicLong transformed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile ClassRewriter rewriter;
    private final List<Class<?>> loadedEarly = new ArrayList<>();
    private volatile boolean warmUpWanted;
    private Thread background;
    /**
     * Packages (internal form) of the libraries' own target types, outside the JDK: the first class loaded from one
     * of them says instrumentation work is near, before the first target class itself arrives.
     */
    private final List<String> libraryPackages = new ArrayList<>();
    /** The loaders such a class came from, for the background thread to prepare (weakly held). */
    private final List<java.lang.ref.WeakReference<ClassLoader>> appearedIn = new ArrayList<>();

    MatchingTransformer(Instrumentation instrumentation, List<LibraryInstrumentation> libraries, IgnoredTypes ignored) {
        this.instrumentation = instrumentation;
        this.ignored = ignored;
        List<String> watched = new ArrayList<>();
        List<String> annotationNames = new ArrayList<>();
        for (LibraryInstrumentation library : libraries) {
            StringBuilder leftOut = new StringBuilder();
            List<TypeTarget> targets;
            try {
                targets = library.targets();
            } catch (RuntimeException | LinkageError e) {
                // a library whose classes this JVM lacks (a trimmed module graph) is left out; the rest still works
                PlumeLog.debug("the " + library.name() + " instrumentation is off in this JVM: " + e);
                continue;
            }
            for (TypeTarget target : targets) {
                target.library(library);
                // plain loops, no lambdas: this runs in premain, where each lambda's first call spins a class
                switch (target.kind()) {
                    case NAMED -> {
                        for (String name : target.internalNames()) {
                            List<TypeTarget> named = byName.get(name);
                            if (named == null) {
                                named = new ArrayList<>();
                                byName.put(name, named);
                            }
                            named.add(target);
                        }
                    }
                    case SUBTYPES -> {
                        if (!addWatched(watched, target)) {
                            // a long method list: the rest still works, rather than no agent at all
                            leftOut.append(leftOut.length() == 0 ? "" : ", ").append(target.internalNames());
                            continue;
                        }
                        subtypeTargets.add(target);
                    }
                    case ANNOTATED -> {
                        annotationTargets.add(target);
                        List<String> descriptors = new ArrayList<>();
                        for (String name : target.internalNames()) {
                            descriptors.add("L" + name + ";");
                            annotationNames.add(name);
                        }
                        annotationDescriptors.put(target, List.copyOf(descriptors));
                    }
                }
            }
            if (leftOut.length() > 0) {
                PlumeLog.warn("the " + library.name() + " instrumentation names more supertypes than can be watched ("
                    + MAX_WATCHED + " in all): left out " + leftOut);
            }
        }
        for (String name : byName.keySet()) {
            addLibraryPackage(name);
        }
        for (String name : watched) {
            addLibraryPackage(name);
        }
        for (String name : annotationNames) {
            addLibraryPackage(name);
        }
        supertypes = new SupertypeIndex(watched);
        targetBits = new long[subtypeTargets.size() + annotationTargets.size()];
        for (int i = 0; i < subtypeTargets.size(); i++) {
            for (String name : subtypeTargets.get(i).internalNames()) {
                targetBits[i] |= supertypes.bit(name);
            }
        }
        // annotation targets take no bit: an annotation is matched by its descriptor, never as a supertype
    }

    private void addLibraryPackage(String internalName) {
        int slash = internalName.lastIndexOf('/');
        String pkg = internalName.substring(0, slash + 1);
        if (slash > 0 && !IgnoredTypes.isJdk(internalName) && !libraryPackages.contains(pkg)) {
            libraryPackages.add(pkg);
        }
    }

    /** Adds the target's supertypes to those watched; false (nothing added) when they would be too many. */
    private static boolean addWatched(List<String> watched, TypeTarget target) {
        int added = 0;
        for (String name : target.internalNames()) {
            added += watched.contains(name) ? 0 : 1;
        }
        if (watched.size() + added > MAX_WATCHED) {
            return false;
        }
        for (String name : target.internalNames()) {
            if (!watched.contains(name)) {
                watched.add(name);
            }
        }
        return true;
    }

    /**
     * Registers the transformer. Exact-name targets the JVM already loaded (the agent's own runtime loads
     * {@code ThreadPoolExecutor}, through Agrona's process id) are rewritten later, in the background (see
     * {@link #background}), so a program that never uses an instrumented library pays nothing for them.
     */
    void install() {
        instrumentation.addTransformer(this, true);
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
            if (byName.containsKey(type.getName().replace('.', '/')) && instrumentation.isModifiableClass(type)) {
                loadedEarly.add(type);
            }
        }
        if (!loadedEarly.isEmpty()) {
            startBackground();
        }
    }

    /**
     * A class of an instrumented library (or one declaring a method a subtype target advises) appeared in
     * {@code loader}: instrumentation work is near, so the background thread warms the rewriter up now and checks,
     * for that loader, that the advice of the libraries it holds fits, instead of the application thread that loads
     * the first target class.
     */
    private void libraryAppeared(ClassLoader loader) {
        synchronized (appearedIn) {
            if (warmUpWanted) {
                return;
            }
            if (loader != null) {
                appearedIn.add(new java.lang.ref.WeakReference<>(loader));
            }
            warmUpWanted = true;
        }
        startBackground();
    }

    private synchronized void startBackground() {
        if (background == null) {
            background = new Thread(new Runnable() {
                @Override
                public void run() {
                    background();
                }
            }, "plume-instrument");
            background.setDaemon(true);
            background.setContextClassLoader(MatchingTransformer.class.getClassLoader());
            background.start();
        }
    }

    /**
     * The background thread: once there is reason to (a library that will be instrumented appeared, a span started,
     * the rewriter was needed anyway, or {@value #BACKGROUND_DELAY_MILLIS} ms passed), it warms the rewriter up on an
     * agent class, so the first real rewrite on an application thread is quick, and then rewrites the early-loaded
     * targets.
     */
    private void background() {
        long deadline = System.nanoTime() + BACKGROUND_DELAY_MILLIS * 1_000_000;
        try {
            while (!warmUpWanted && rewriter == null && !Tracer.anySpanStarted() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            return;
        }
        ClassRewriter instance = rewriter();
        instance.warmUp();
        prepare(instance, null);
        List<java.lang.ref.WeakReference<ClassLoader>> loaders;
        synchronized (appearedIn) {
            loaders = new ArrayList<>(appearedIn);
            appearedIn.clear();
        }
        for (java.lang.ref.WeakReference<ClassLoader> reference : loaders) {
            ClassLoader loader = reference.get();
            if (loader != null) {
                prepare(instance, loader);
            }
        }
        retransform(loadedEarly);
    }

    /**
     * Decides, ahead of the first target class, whether the advice of each target whose type {@code loader} can see
     * fits there (null: the JDK's targets, in their modules' loaders); the answers are kept by the rewriter.
     */
    private void prepare(ClassRewriter instance, ClassLoader loader) {
        try {
            for (Map.Entry<String, List<TypeTarget>> entry : byName.entrySet()) {
                String name = entry.getKey();
                if (IgnoredTypes.isJdk(name) != (loader == null)) {
                    continue;
                }
                // a JDK class is defined by its module's loader (java.net.http: the platform loader)
                Module module = loader == null ? jdkModule(name) : null;
                if (loader == null ? module != null : visible(loader, name)) {
                    for (TypeTarget target : entry.getValue()) {
                        instance.prepare(target, loader != null ? loader : module.getClassLoader());
                    }
                }
            }
            for (int i = 0; loader != null && i < subtypeTargets.size(); i++) {
                if (supertypes.visibleFrom(loader, targetBits[i]) != 0) {
                    instance.prepare(subtypeTargets.get(i), loader);
                }
            }
        } catch (RuntimeException | LinkageError e) {
            PlumeLog.debug("could not prepare instrumentation ahead of use (the first rewrite will check): " + e);
        }
    }

    private boolean inLibraryPackage(String internalName) {
        for (int i = 0; i < libraryPackages.size(); i++) {
            if (internalName.startsWith(libraryPackages.get(i))) {
                return true;
            }
        }
        return false;
    }

    private static Module jdkModule(String internalName) {
        String pkg = internalName.substring(0, Math.max(internalName.lastIndexOf('/'), 0)).replace('/', '.');
        for (Module module : ModuleLayer.boot().modules()) {
            if (module.getPackages().contains(pkg)) {
                return module;
            }
        }
        return null;
    }

    private static boolean visible(ClassLoader loader, String internalName) {
        String resource = internalName + ".class";
        return (loader != null ? loader.getResource(resource)
            : ClassLoader.getPlatformClassLoader().getResource(resource)) != null;
    }

    /** Rewrites classes that were loaded before the transformer (an attach, or the JVM's own early classes). */
    void retransform(List<Class<?>> loaded) {
        for (Class<?> type : loaded) {
            try {
                instrumentation.retransformClasses(type);
            } catch (Throwable t) {
                failed.incrementAndGet();
                PlumeLog.warnRateLimited("retransform", "could not instrument loaded class " + type.getName() + ": " + t);
            }
        }
    }

    void uninstall() {
        instrumentation.removeTransformer(this);
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String internalName, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classFile) {
        if (internalName == null) {
            return null;
        }
        if (!warmUpWanted && loader != null && inLibraryPackage(internalName)) {
            libraryAppeared(loader);
        }
        List<TypeTarget> named = byName.get(internalName);
        if (named == null && targetBits.length == 0) {
            return null;
        }
        if (named == null && ignored.isIgnored(internalName)) {
            return null;
        }
        if (named != null && ignored.isExcluded(internalName)) {
            return null;
        }
        List<TypeTarget> candidates = named != null ? new ArrayList<>(named) : null;
        try {
            candidates = withMatchingSupertypesAndAnnotations(loader, classFile, candidates);
        } catch (Throwable t) {
            PlumeLog.warnRateLimited("matching", "could not match " + internalName.replace('/', '.') + ": " + t);
        }
        if (candidates == null || candidates.isEmpty()) {
            return null;
        }
        return rewrite(module, loader, internalName, classBeingRedefined, classFile, candidates);
    }

    /** Stages 3 to 5: adds the subtype and annotation targets this class matches. */
    private List<TypeTarget> withMatchingSupertypesAndAnnotations(ClassLoader loader, byte[] classFile,
                                                                  List<TypeTarget> candidates) {
        if (targetBits.length == 0) {
            return candidates;
        }
        ClassFileSummary summary = ClassFileSummary.of(classFile);
        long subtypeInterest = 0;
        for (int i = 0; i < subtypeTargets.size(); i++) {
            // only a class declaring a method the target advises can be changed by it: nearly every class stops here
            if (subtypeTargets.get(i).mayApplyTo(summary)) {
                subtypeInterest |= targetBits[i];
            }
        }
        if (subtypeInterest != 0) {
            if (!warmUpWanted) {
                libraryAppeared(loader);
            }
            // a loader that cannot see the supertype holds no subtype of it: no class file is read for those
            long visible = supertypes.visibleFrom(loader, subtypeInterest);
            long matched = visible == 0 ? 0 : supertypes.supertypesOf(loader, summary, visible);
            for (int i = 0; i < subtypeTargets.size(); i++) {
                if ((targetBits[i] & matched) != 0) {
                    candidates = add(candidates, subtypeTargets.get(i));
                }
            }
        }
        for (int i = 0; i < annotationTargets.size(); i++) {
            TypeTarget target = annotationTargets.get(i);
            for (String descriptor : annotationDescriptors.get(target)) {
                if (summary.contains(descriptor)) {
                    candidates = add(candidates, target);
                    break;
                }
            }
        }
        return candidates;
    }

    private static List<TypeTarget> add(List<TypeTarget> candidates, TypeTarget target) {
        List<TypeTarget> list = candidates != null ? candidates : new ArrayList<>(2);
        if (!list.contains(target)) {
            list.add(target);
        }
        return list;
    }

    /** The last stage, in a class of its own so that ASM is loaded only when a first class reaches it. */
    private byte[] rewrite(Module module, ClassLoader loader, String internalName, Class<?> classBeingRedefined,
                           byte[] classFile, List<TypeTarget> candidates) {
        return rewriter().rewrite(module, loader, internalName, classBeingRedefined, classFile, candidates);
    }

    private ClassRewriter rewriter() {
        ClassRewriter instance = rewriter;
        if (instance == null) {
            synchronized (this) {
                instance = rewriter;
                if (instance == null) {
                    instance = new ClassRewriter(instrumentation, transformed, failed);
                    rewriter = instance;
                }
            }
        }
        return instance;
    }

    long transformedCount() {
        return transformed.get();
    }

    long failedCount() {
        return failed.get();
    }
}
