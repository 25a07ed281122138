package dev.plume.instrumentation;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.context.ContextCarrier;
import dev.plume.instrumentation.matching.AdviceReferences;
import dev.plume.instrumentation.matching.ClassFileSummary;
import dev.plume.instrumentation.matching.IgnoredTypes;
import dev.plume.instrumentation.matching.SupertypeIndex;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.modifier.FieldManifestation;
import net.bytebuddy.description.modifier.Ownership;
import net.bytebuddy.description.modifier.SyntheticState;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.InstrumentedType;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.FieldAccessor;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.pool.TypePool;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static net.bytebuddy.matcher.ElementMatchers.named;

/**
 * The agent's class file transformer. Each stage is cheaper than the next and rejects most of what reaches it:
 * <ol>
 * <li>exact names: one hash lookup (nearly every class misses here and, with nothing else to look at, returns);</li>
 * <li>ignored names: the JDK, the agent itself, generated classes, {@code otel.javaagent.exclude-classes};</li>
 * <li>per class loader, which watched supertypes and annotations it can see at all (one resource probe each, cached);</li>
 * <li>the class file's constant pool, read in place: its supertypes and annotation descriptors;</li>
 * <li>supertypes not decided by that are read as class files through the loader, cached per loader, bounded;</li>
 * <li>only a real candidate reaches ByteBuddy: first the check that the advice fits the library version in that loader
 *     (once per loader and target), then the rewrite, several targets' advice chained on one class.</li>
 * </ol>
 * ByteBuddy is not loaded until a class is a candidate. A failure leaves the class as it was and is logged.
 */
final class MatchingTransformer implements ClassFileTransformer {
    private static final String CONTEXT_FIELD = "plume$context";

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
    // per target (identity) and loader: whether the advice fits there; the pools used to describe classes
    private final Map<ClassLoader, Map<TypeTarget, Boolean>> fits = new WeakHashMap<>();
    private final Map<TypeTarget, Boolean> fitsInBootstrap = new IdentityHashMap<>();
    private final Map<TypeTarget, AdviceReferences> references = new IdentityHashMap<>();
    private final Map<ClassLoader, TypePool> pools = new WeakHashMap<>();
    private volatile TypePool bootstrapPool;
    private volatile ByteBuddy frozen;
    private volatile ByteBuddy shaping;

    MatchingTransformer(Instrumentation instrumentation, List<LibraryInstrumentation> libraries, IgnoredTypes ignored) {
        this.instrumentation = instrumentation;
        this.ignored = ignored;
        List<String> watched = new ArrayList<>();
        for (LibraryInstrumentation library : libraries) {
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
                switch (target.kind()) {
                    case NAMED -> target.internalNames().forEach(name ->
                        byName.computeIfAbsent(name, n -> new ArrayList<>()).add(target));
                    case SUBTYPES -> {
                        subtypeTargets.add(target);
                        target.internalNames().stream().filter(n -> !watched.contains(n)).forEach(watched::add);
                    }
                    case ANNOTATED -> {
                        annotationTargets.add(target);
                        annotationDescriptors.put(target, target.internalNames().stream()
                            .map(name -> "L" + name + ";").toList());
                        target.internalNames().stream().filter(n -> !watched.contains(n)).forEach(watched::add);
                    }
                }
            }
        }
        supertypes = new SupertypeIndex(watched);
        targetBits = new long[subtypeTargets.size() + annotationTargets.size()];
        for (int i = 0; i < subtypeTargets.size(); i++) {
            for (String name : subtypeTargets.get(i).internalNames()) {
                targetBits[i] |= supertypes.bit(name);
            }
        }
        for (int i = 0; i < annotationTargets.size(); i++) {
            for (String name : annotationTargets.get(i).internalNames()) {
                targetBits[subtypeTargets.size() + i] |= supertypes.bit(name);
            }
        }
    }

    /** Registers the transformer and rewrites the already loaded classes that are exact-name targets. */
    void install() {
        instrumentation.addTransformer(this, true);
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> type : instrumentation.getAllLoadedClasses()) {
            if (byName.containsKey(type.getName().replace('.', '/')) && instrumentation.isModifiableClass(type)) {
                loaded.add(type);
            }
        }
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
        long visible = supertypes.visibleFrom(loader);
        if (visible == 0) {
            return candidates;
        }
        ClassFileSummary summary = null;
        long subtypeInterest = 0;
        for (int i = 0; i < subtypeTargets.size(); i++) {
            subtypeInterest |= targetBits[i] & visible;
        }
        long matched = 0;
        if (subtypeInterest != 0) {
            summary = ClassFileSummary.of(classFile);
            matched = supertypes.supertypesOf(loader, summary, subtypeInterest);
        }
        for (int i = 0; i < subtypeTargets.size(); i++) {
            if ((targetBits[i] & matched) != 0) {
                candidates = add(candidates, subtypeTargets.get(i));
            }
        }
        for (int i = 0; i < annotationTargets.size(); i++) {
            TypeTarget target = annotationTargets.get(i);
            if ((targetBits[subtypeTargets.size() + i] & visible) == 0) {
                continue;
            }
            if (summary == null) {
                summary = ClassFileSummary.of(classFile);
            }
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

    /** Stage 6: ByteBuddy, for the targets whose advice fits this loader. */
    private byte[] rewrite(Module module, ClassLoader loader, String internalName, Class<?> classBeingRedefined,
                           byte[] classFile, List<TypeTarget> candidates) {
        String typeName = internalName.replace('/', '.');
        try {
            ModuleReads.ensureReadsRuntime(instrumentation, module);
            TypePool loaderPool = pool(loader);
            List<TypeTarget> fitting = new ArrayList<>(candidates.size());
            for (TypeTarget target : candidates) {
                if (fits(target, loader, loaderPool)) {
                    fitting.add(target);
                }
            }
            if (fitting.isEmpty()) {
                return null;
            }
            ClassFileLocator locator = new ClassFileLocator.Compound(ClassFileLocator.Simple.of(typeName, classFile),
                loader == null ? ClassFileLocator.ForClassLoader.ofBootLoader() : ClassFileLocator.ForClassLoader.of(loader));
            // the class being defined is described from its bytes; everything else from the loader's shared pool
            TypePool pool = new TypePool.Default(new TypePool.CacheProvider.Simple(),
                ClassFileLocator.Simple.of(typeName, classFile), TypePool.Default.ReaderMode.FAST, loaderPool);
            TypeDescription type = pool.describe(typeName).resolve();
            boolean addField = classBeingRedefined == null && !type.isInterface()
                && fitting.stream().anyMatch(TypeTarget::carriesContextField);
            DynamicType.Builder<?> builder = addField
                ? shaping().redefine(type, locator)
                    .implement(ContextCarrier.class)
                    .defineField(CONTEXT_FIELD, Object.class, Visibility.PRIVATE, Ownership.MEMBER,
                        FieldManifestation.VOLATILE, SyntheticState.SYNTHETIC)
                    .method(named("plume$getContext").or(named("plume$setContext")))
                    .intercept(FieldAccessor.ofField(CONTEXT_FIELD))
                : frozen().redefine(type, locator);
            // advice class files come from the agent's loader, the types they name from the application's
            ClassFileLocator adviceLocator = new ClassFileLocator.Compound(
                ClassFileLocator.ForClassLoader.of(MatchingTransformer.class.getClassLoader()), locator);
            TypePool advicePool = new TypePool.Default(new TypePool.CacheProvider.Simple(), adviceLocator,
                TypePool.Default.ReaderMode.EXTENDED, pool);
            StringBuilder libraries = new StringBuilder();
            for (TypeTarget target : fitting) {
                for (AsmVisitorWrapper visitor : target.visitors(type, advicePool, adviceLocator)) {
                    builder = builder.visit(visitor);
                }
                if (libraries.indexOf(target.library().name()) < 0) {
                    libraries.append(libraries.length() == 0 ? "" : ", ").append(target.library().name());
                }
            }
            byte[] rewritten = builder.make(pool).getBytes();
            transformed.incrementAndGet();
            PlumeLog.debug("instrumented " + typeName + " (" + libraries + (addField ? ", with a context field" : "")
                + ")");
            return rewritten;
        } catch (Throwable t) {
            failed.incrementAndGet();
            PlumeLog.warnRateLimited("transform-" + candidates.get(0).library().name(), "could not instrument "
                + typeName + ", it runs untraced: " + t);
            return null;
        }
    }

    /**
     * Whether the target's advice finds, in this loader, every class, method and field it uses; decided once per loader
     * and target, and a misfit is one line: the library stays off there and the application runs as without it.
     */
    private boolean fits(TypeTarget target, ClassLoader loader, TypePool pool) {
        Map<TypeTarget, Boolean> known;
        synchronized (fits) {
            known = loader == null ? fitsInBootstrap : fits.computeIfAbsent(loader, l -> new IdentityHashMap<>());
            Boolean decided = known.get(target);
            if (decided != null) {
                return decided;
            }
        }
        AdviceReferences refs;
        synchronized (references) {
            refs = references.computeIfAbsent(target, t -> AdviceReferences.of(t.adviceClasses()));
        }
        String missing = refs.firstMissing(pool);
        boolean fit = missing == null;
        synchronized (fits) {
            known.put(target, fit);
        }
        if (!fit) {
            PlumeLog.warn("the " + target.library().name() + " instrumentation does not fit the library version in "
                + describe(loader) + " (no " + missing + "): it stays off there, the application runs untraced by it");
        }
        return fit;
    }

    private static String describe(ClassLoader loader) {
        return loader == null ? "the bootstrap class loader" : "class loader " + loader.getClass().getName()
            + (loader.getName() != null ? " '" + loader.getName() + "'" : "");
    }

    private TypePool pool(ClassLoader loader) {
        if (loader == null) {
            TypePool pool = bootstrapPool;
            if (pool == null) {
                pool = new TypePool.Default.WithLazyResolution(new TypePool.CacheProvider.Simple(),
                    ClassFileLocator.ForClassLoader.ofBootLoader(), TypePool.Default.ReaderMode.FAST);
                bootstrapPool = pool;
            }
            return pool;
        }
        synchronized (pools) {
            return pools.computeIfAbsent(loader, l -> new TypePool.Default.WithLazyResolution(
                new TypePool.CacheProvider.Simple(), ClassFileLocator.ForClassLoader.of(l),
                TypePool.Default.ReaderMode.FAST));
        }
    }

    /** Frozen types and a disabled implementation context: advice is inlined, nothing is added to the class. */
    private ByteBuddy frozen() {
        ByteBuddy instance = frozen;
        if (instance == null) {
            instance = new ByteBuddy()
                .with(TypeValidation.DISABLED)
                .with(InstrumentedType.Factory.Default.FROZEN)
                .with(Implementation.Context.Disabled.Factory.INSTANCE);
            frozen = instance;
        }
        return instance;
    }

    /** For a class's first load only: a field and two accessors may be added (a retransform cannot change shape). */
    private ByteBuddy shaping() {
        ByteBuddy instance = shaping;
        if (instance == null) {
            instance = new ByteBuddy()
                .with(TypeValidation.DISABLED)
                .with(Implementation.Context.Disabled.Factory.INSTANCE);
            shaping = instance;
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
