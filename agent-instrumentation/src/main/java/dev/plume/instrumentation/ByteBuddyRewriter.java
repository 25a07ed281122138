package dev.plume.instrumentation;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.instrumentation.matching.AdviceReferences;
import dev.plume.instrumentation.warmup.WarmUpAdvice;
import dev.plume.instrumentation.warmup.WarmUpSubject;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.MemberSubstitution;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.InstrumentedType;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;

import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isDeclaredBy;
import static net.bytebuddy.matcher.ElementMatchers.isPrivate;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * The last stage of {@link MatchingTransformer}, for real candidates only: checks that each target's advice fits the
 * library version in the class's loader (once per loader and target), then rewrites the class with every fitting
 * target's visitors chained, adding the context field on a first load when a target asks for it. Classes are described
 * through type pools (one per loader, shared), nothing is loaded. Every rewrite is a decoration: advice, call
 * replacements, and the context field added at the class-file level ({@link ContextFieldVisitor}).
 */
final class ByteBuddyRewriter {
    private final Instrumentation instrumentation;
    private final AtomicLong transformed;
    private final AtomicLong failed;
    // per target (identity) and loader: whether the advice fits there; the pools used to describe classes
    private final Map<ClassLoader, Map<TypeTarget, Boolean>> fits = new WeakHashMap<>();
    private final Map<TypeTarget, Boolean> fitsInBootstrap = new IdentityHashMap<>();
    private final Map<TypeTarget, AdviceReferences> references = new IdentityHashMap<>();
    private final Map<ClassLoader, TypePool> pools = new WeakHashMap<>();
    private final Map<ClassLoader, Map<TypeTarget, List<AsmVisitorWrapper>>> visitors = new WeakHashMap<>();
    private final Map<TypeTarget, List<AsmVisitorWrapper>> bootstrapVisitors = new IdentityHashMap<>();
    private final TypePool bootstrapPool = new TypePool.Default.WithLazyResolution(new TypePool.CacheProvider.Simple(),
        ClassFileLocator.ForClassLoader.ofBootLoader(), TypePool.Default.ReaderMode.FAST);
    /** Frozen types and a disabled implementation context: ByteBuddy adds nothing; visitors do, at the ASM level. */
    private final ByteBuddy frozen = new ByteBuddy()
        .with(TypeValidation.DISABLED)
        .with(InstrumentedType.Factory.Default.FROZEN)
        .with(Implementation.Context.Disabled.Factory.INSTANCE);
    ByteBuddyRewriter(Instrumentation instrumentation, AtomicLong transformed, AtomicLong failed) {
        this.instrumentation = instrumentation;
        this.transformed = transformed;
        this.failed = failed;
    }

    /**
     * Runs both kinds of rewrite (advice only, and advice with the context field) on an agent class and discards the
     * result: ByteBuddy's classes load and its code runs here, on a background thread, instead of on the application
     * thread that loads the first real candidate.
     */
    void warmUp() {
        try {
            ClassLoader agent = ByteBuddyRewriter.class.getClassLoader();
            String name = WarmUpSubject.class.getName();
            byte[] classFile;
            try (java.io.InputStream in = agent.getResourceAsStream(name.replace('.', '/') + ".class")) {
                classFile = in.readAllBytes();
            }
            LibraryInstrumentation warmUp = new LibraryInstrumentation() {
                @Override
                public String name() {
                    return "warm-up";
                }

                @Override
                public List<TypeTarget> targets() {
                    return List.of();
                }
            };
            for (TypeTarget target : List.of(
                TypeTarget.named(name).advice(WarmUpAdvice.class, MethodSelector.named("run").parameters(0)),
                TypeTarget.named(name).carriesContext().advice(WarmUpAdvice.class, MethodSelector.named("run")))) {
                target.library(warmUp);
                rewrite(null, agent, name.replace('.', '/'), null, classFile, List.of(target), true);
            }
        } catch (Throwable t) {
            PlumeLog.debug("instrumentation warm-up failed (the first real rewrite will be slower): " + t);
        }
    }

    /** Rewrites the class with the candidates that fit its loader; null (unchanged) when none does. */
    byte[] rewrite(Module module, ClassLoader loader, String internalName, Class<?> classBeingRedefined,
                   byte[] classFile, List<TypeTarget> candidates) {
        return rewrite(module, loader, internalName, classBeingRedefined, classFile, candidates, false);
    }

    private byte[] rewrite(Module module, ClassLoader loader, String internalName, Class<?> classBeingRedefined,
                           byte[] classFile, List<TypeTarget> candidates, boolean warmUp) {
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
            DynamicType.Builder<?> builder = frozen.decorate(type, locator);
            if (addField) {
                builder = builder.visit(ContextFieldVisitor.INSTANCE);
            }
            StringBuilder libraries = new StringBuilder();
            for (TypeTarget target : fitting) {
                for (AsmVisitorWrapper visitor : visitors(target, loader)) {
                    builder = builder.visit(visitor);
                }
                if (libraries.indexOf(target.library().name()) < 0) {
                    libraries.append(libraries.length() == 0 ? "" : ", ").append(target.library().name());
                }
            }
            byte[] rewritten = builder.make(pool).getBytes();
            if (warmUp) {
                return null;
            }
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
     * The target's advice and call replacements as ByteBuddy visitors, made once per class loader: the advice is read
     * from the agent's class files, the types it names resolved in the application's loader (through its shared pool).
     */
    private List<AsmVisitorWrapper> visitors(TypeTarget target, ClassLoader loader) {
        Map<TypeTarget, List<AsmVisitorWrapper>> known;
        synchronized (visitors) {
            known = loader == null ? bootstrapVisitors : visitors.computeIfAbsent(loader, l -> new IdentityHashMap<>());
            List<AsmVisitorWrapper> made = known.get(target);
            if (made != null) {
                return made;
            }
        }
        ClassFileLocator adviceLocator = new ClassFileLocator.Compound(
            ClassFileLocator.ForClassLoader.of(ByteBuddyRewriter.class.getClassLoader()),
            loader == null ? ClassFileLocator.ForClassLoader.ofBootLoader() : ClassFileLocator.ForClassLoader.of(loader));
        TypePool advicePool = new TypePool.Default(new TypePool.CacheProvider.Simple(), adviceLocator,
            TypePool.Default.ReaderMode.FAST, pool(loader));
        List<AsmVisitorWrapper> made = new ArrayList<>();
        for (TypeTarget.AdviceUse use : target.adviceUses()) {
            made.add(Advice.to(advicePool.describe(use.adviceClass().getName()).resolve(), adviceLocator)
                .on(not(isAbstract()).and(matcher(use.methods()))));
        }
        for (TypeTarget.CallReplacement replacement : target.callReplacements()) {
            made.add(MemberSubstitution.relaxed()
                .method(named(replacement.name()).and(takesArguments(replacement.parameters()))
                    .and(isDeclaredBy(named(replacement.owner().replace('/', '.')))))
                .replaceWith(replacement.replacement())
                .on(named(replacement.inMethod())));
        }
        synchronized (visitors) {
            known.put(target, made);
        }
        return made;
    }

    /** A method selector as a ByteBuddy matcher. */
    static ElementMatcher.Junction<MethodDescription> matcher(MethodSelector selector) {
        ElementMatcher.Junction<MethodDescription> matcher = selector.constructorsOnly() ? isConstructor()
            : named(selector.name).and(not(isConstructor()));
        if (selector.parameterCount >= 0) {
            matcher = matcher.and(takesArguments(selector.parameterCount));
        }
        for (int i = 0; i < selector.parameterTypes.length; i++) {
            matcher = matcher.and(takesArgument(i, named(selector.parameterTypes[i])));
        }
        if (selector.visibility == MethodSelector.Visibility.PUBLIC) {
            matcher = matcher.and(isPublic());
        } else if (selector.visibility == MethodSelector.Visibility.PRIVATE) {
            matcher = matcher.and(isPrivate());
        }
        for (MethodSelector alternative : selector.alternatives) {
            matcher = matcher.or(matcher(alternative));
        }
        return matcher;
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
            return bootstrapPool;
        }
        synchronized (pools) {
            return pools.computeIfAbsent(loader, l -> new TypePool.Default.WithLazyResolution(
                new TypePool.CacheProvider.Simple(), ClassFileLocator.ForClassLoader.of(l),
                TypePool.Default.ReaderMode.FAST));
        }
    }
}
