package dev.plume.instrumentation;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.ResourceBytes;
import dev.plume.instrumentation.matching.AdviceReferences;
import dev.plume.instrumentation.warmup.WarmUpAdvice;
import dev.plume.instrumentation.warmup.WarmUpSubject;
import dev.plume.instrumentation.weave.AdviceWeaver;
import dev.plume.instrumentation.weave.InlineAdvice;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * The last stage of {@link MatchingTransformer}, for real candidates only: checks that each target's advice fits the
 * library version in the class's loader (once per loader and target), then rewrites the class with
 * {@link AdviceWeaver}: the context field and call replacements in a first pass, then one pass per advice. Advice is
 * read from the agent's class files once; nothing is loaded in the application's loader, no class hierarchy is needed.
 */
final class ClassRewriter {
    private final Instrumentation instrumentation;
    private final AtomicLong transformed;
    private final AtomicLong failed;
    // per target (identity) and loader: whether the advice fits there
    private final Map<ClassLoader, Map<TypeTarget, Boolean>> fits = new WeakHashMap<>();
    private final Map<TypeTarget, Boolean> fitsInBootstrap = new IdentityHashMap<>();
    private final Map<TypeTarget, AdviceReferences> references = new IdentityHashMap<>();
    /** Per loader, the library classes read for those checks, so a library's many targets read each class once. */
    private final Map<ClassLoader, AdviceReferences.LoaderView> views = new WeakHashMap<>();
    private final AdviceReferences.LoaderView bootstrapView = new AdviceReferences.LoaderView(null);
    /** Parsed advice, per advice class; a class Plume's weaver cannot inline maps to null (and was logged). */
    private final Map<Class<?>, InlineAdvice> advice = new IdentityHashMap<>();

    ClassRewriter(Instrumentation instrumentation, AtomicLong transformed, AtomicLong failed) {
        this.instrumentation = instrumentation;
        this.transformed = transformed;
        this.failed = failed;
    }

    /**
     * Rewrites an agent class (advice, and advice with the context field) and discards the result: the weaver's classes
     * load and its code runs here, on a background thread, instead of on the application thread that loads the first
     * real candidate.
     */
    void warmUp() {
        try {
            ClassLoader agent = ClassRewriter.class.getClassLoader();
            String name = WarmUpSubject.class.getName();
            byte[] classFile;
            try (InputStream in = agent.getResourceAsStream(name.replace('.', '/') + ".class")) {
                classFile = ResourceBytes.read(in);
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
            TypeTarget target = TypeTarget.named(name).carriesContext()
                .advice(WarmUpAdvice.class, MethodSelector.named("run").parameters(0));
            target.library(warmUp);
            rewrite(agent, name.replace('.', '/'), null, classFile, List.of(target), true);
        } catch (Throwable t) {
            PlumeLog.debug("instrumentation warm-up failed (the first real rewrite will be slower): " + t);
        }
    }

    /**
     * Ahead of the target's first class: decides whether its advice fits in {@code loader} and parses the advice, so
     * the application thread that loads the class finds both done.
     */
    void prepare(TypeTarget target, ClassLoader loader) {
        if (fits(target, loader)) {
            for (Class<?> adviceClass : target.adviceClasses()) {
                advice(adviceClass);
            }
        }
    }

    /** Rewrites the class with the candidates that fit its loader; null (unchanged) when none does. */
    byte[] rewrite(Module module, ClassLoader loader, String internalName, Class<?> classBeingRedefined,
                   byte[] classFile, List<TypeTarget> candidates) {
        try {
            ModuleReads.ensureReadsRuntime(instrumentation, module);
            for (TypeTarget candidate : candidates) {
                ModuleReads.openToRuntime(instrumentation, module, candidate.packagesOpenedToRuntime());
            }
        } catch (Throwable t) {
            failed.incrementAndGet();
            PlumeLog.warnRateLimited("transform-" + candidates.get(0).library().name(), "could not instrument "
                + internalName.replace('/', '.') + ", it runs untraced: " + t);
            return null;
        }
        return rewrite(loader, internalName, classBeingRedefined, classFile, candidates, false);
    }

    private byte[] rewrite(ClassLoader loader, String internalName, Class<?> classBeingRedefined, byte[] classFile,
                           List<TypeTarget> candidates, boolean warmUp) {
        String typeName = internalName.replace('/', '.');
        try {
            List<TypeTarget> fitting = new ArrayList<>(candidates.size());
            for (TypeTarget target : candidates) {
                if (fits(target, loader)) {
                    fitting.add(target);
                }
            }
            if (fitting.isEmpty()) {
                return null;
            }
            boolean addField = classBeingRedefined == null && !isInterface(classFile)
                && fitting.stream().anyMatch(TypeTarget::carriesContextField);
            List<TypeTarget.CallReplacement> replacements = new ArrayList<>();
            for (TypeTarget target : fitting) {
                replacements.addAll(target.callReplacements());
            }
            byte[] bytes = classFile;
            if (addField || !replacements.isEmpty()) {
                UnaryOperator<ClassVisitor> around = writer -> {
                    ClassVisitor visitor = replacements.isEmpty() ? writer : new CallReplacing(writer, replacements);
                    return addField ? ContextFieldVisitor.wrap(visitor) : visitor;
                };
                bytes = AdviceWeaver.rewrite(bytes, null, null, around);
            }
            boolean changed = bytes != classFile;
            StringBuilder libraries = new StringBuilder();
            for (TypeTarget target : fitting) {
                for (TypeTarget.AdviceUse use : target.adviceUses()) {
                    byte[] woven;
                    if (use.advisor() != null) {
                        MethodAdvisor.Plan plan = use.advisor().plan(internalName, bytes);
                        woven = plan == null ? null : AdviceWeaver.rewrite(bytes, new PlannedAdvice(plan), null);
                    } else {
                        InlineAdvice inline = advice(use.adviceClass());
                        if (inline == null) {
                            continue;
                        }
                        woven = AdviceWeaver.rewrite(bytes, inline, use.methods()::selects, null);
                    }
                    if (woven != null) {
                        bytes = woven;
                        changed = true;
                    }
                }
                if (libraries.indexOf(target.library().name()) < 0) {
                    libraries.append(libraries.length() == 0 ? "" : ", ").append(target.library().name());
                }
            }
            if (warmUp || !changed) {
                return null;
            }
            transformed.incrementAndGet();
            PlumeLog.debug("instrumented " + typeName + " (" + libraries + (addField ? ", with a context field" : "")
                + ")");
            return bytes;
        } catch (Throwable t) {
            failed.incrementAndGet();
            PlumeLog.warnRateLimited("transform-" + candidates.get(0).library().name(), "could not instrument "
                + typeName + ", it runs untraced: " + t);
            return null;
        }
    }

    /** The advice class parsed for inlining, once; null (logged once) when Plume's weaver cannot inline it. */
    private InlineAdvice advice(Class<?> adviceClass) {
        synchronized (advice) {
            if (advice.containsKey(adviceClass)) {
                return advice.get(adviceClass);
            }
        }
        InlineAdvice parsed;
        try {
            parsed = InlineAdvice.of(adviceClass);
        } catch (RuntimeException e) {
            PlumeLog.warn("advice " + adviceClass.getName() + " cannot be inlined, it stays off: " + e.getMessage());
            parsed = null;
        }
        synchronized (advice) {
            advice.put(adviceClass, parsed);
        }
        return parsed;
    }

    /** An advisor's plan for one class, its advice classes parsed once (and left out when they cannot be inlined). */
    private final class PlannedAdvice implements AdviceWeaver.MethodAdvice {
        private final MethodAdvisor.Plan plan;

        PlannedAdvice(MethodAdvisor.Plan plan) {
            this.plan = plan;
        }

        @Override
        public InlineAdvice adviceFor(int access, String name, String descriptor) {
            Class<?> adviceClass = plan.adviceFor(access, name, descriptor);
            return adviceClass == null ? null : advice(adviceClass);
        }

        @Override
        public int constantFor(int access, String name, String descriptor) {
            return plan.constantFor(access, name, descriptor);
        }
    }

    private static boolean isInterface(byte[] classFile) {
        return (new ClassReader(classFile).getAccess() & Opcodes.ACC_INTERFACE) != 0;
    }

    /**
     * Whether the target's advice finds, in this loader, every class, method and field it uses; decided once per loader
     * and target, and a misfit is one line: the library stays off there and the application runs as without it.
     */
    private boolean fits(TypeTarget target, ClassLoader loader) {
        Map<TypeTarget, Boolean> known;
        AdviceReferences.LoaderView view;
        synchronized (fits) {
            known = loader == null ? fitsInBootstrap : fits.get(loader);
            if (known == null) {
                known = new IdentityHashMap<>();
                fits.put(loader, known);
            }
            Boolean decided = known.get(target);
            if (decided != null) {
                return decided;
            }
            view = loader == null ? bootstrapView : views.get(loader);
            if (view == null) {
                view = new AdviceReferences.LoaderView(loader);
                views.put(loader, view);
            }
        }
        AdviceReferences refs;
        synchronized (references) {
            refs = references.computeIfAbsent(target, t -> AdviceReferences.of(t.adviceClasses()));
        }
        String missing = refs.firstMissing(view);
        boolean fit = missing == null;
        boolean alreadyLogged = false;
        synchronized (fits) {
            known.put(target, fit);
            if (!fit) {
                // one line per library and loader, however many of its targets misfit there
                for (Map.Entry<TypeTarget, Boolean> other : known.entrySet()) {
                    alreadyLogged |= other.getKey() != target && !other.getValue()
                        && other.getKey().library() == target.library();
                }
            }
        }
        if (!fit && !alreadyLogged) {
            PlumeLog.warn("the " + target.library().name() + " instrumentation does not fit the library version in "
                + describe(loader) + " (no " + missing + "): it stays off there, the application runs untraced by it");
        }
        return fit;
    }

    private static String describe(ClassLoader loader) {
        return loader == null ? "the bootstrap class loader" : "class loader " + loader.getClass().getName()
            + (loader.getName() != null ? " '" + loader.getName() + "'" : "");
    }

    /**
     * In the methods a call replacement names, calls {@code replacement} (static, the receiver first) in place of the
     * replaced method; the stack is the same before and after, so nothing else changes.
     */
    private static final class CallReplacing extends ClassVisitor {
        private final List<TypeTarget.CallReplacement> replacements;

        CallReplacing(ClassVisitor next, List<TypeTarget.CallReplacement> replacements) {
            super(Opcodes.ASM9, next);
            this.replacements = replacements;
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                         String[] exceptions) {
            MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
            List<TypeTarget.CallReplacement> here = new ArrayList<>();
            for (TypeTarget.CallReplacement replacement : replacements) {
                if (replacement.inMethod() == null || replacement.inMethod().equals(name)) {
                    here.add(replacement);
                }
            }
            if (here.isEmpty()) {
                return next;
            }
            return new MethodVisitor(Opcodes.ASM9, next) {
                @Override
                public void visitMethodInsn(int opcode, String owner, String method, String methodDescriptor,
                                            boolean isInterface) {
                    for (TypeTarget.CallReplacement replacement : here) {
                        if (opcode != Opcodes.INVOKESTATIC && owner.equals(replacement.owner().replace('.', '/'))
                            && method.equals(replacement.name())
                            && Type.getArgumentTypes(methodDescriptor).length == replacement.parameters()) {
                            super.visitMethodInsn(Opcodes.INVOKESTATIC,
                                Type.getInternalName(replacement.replacement().getDeclaringClass()),
                                replacement.replacement().getName(),
                                Type.getMethodDescriptor(replacement.replacement()), false);
                            return;
                        }
                    }
                    super.visitMethodInsn(opcode, owner, method, methodDescriptor, isInterface);
                }
            };
        }
    }
}
