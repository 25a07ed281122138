package dev.plume.instrumentation.weave;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Plume's class rewriter: inlines advice into the methods a filter selects (or each method its own advice, chosen by
 * a {@link MethodAdvice}), with ASM alone. It reads and writes the class file once per rewrite (the class's constant pool is kept and the methods it does not touch are copied as they
 * are), and needs no class hierarchy, so nothing is loaded and no type pool is built. This replaces ByteBuddy's advice
 * machinery for the advice shapes {@link InlineAdvice} accepts; ByteBuddy's cold start was most of what instrumenting a
 * Spring Boot application cost at start-up.
 */
public final class AdviceWeaver {
    /** Which methods a weave applies to. */
    @FunctionalInterface
    public interface MethodFilter {
        boolean selects(int access, String name, String descriptor);
    }

    /**
     * The advice each method of one class gets, when one rewrite weaves several advice classes, each into the methods
     * its facts say (a method's annotations, its return type), and the constant its {@link MethodConstant}
     * parameters read there.
     */
    public interface MethodAdvice {
        /** The advice for this method, or null to leave it alone; asked more than once, so it must not change. */
        InlineAdvice adviceFor(int access, String name, String descriptor);

        /** The constant of a method {@link #adviceFor} chose, asked once, when it is woven, if its advice reads one. */
        int constantFor(int access, String name, String descriptor);
    }

    private AdviceWeaver() {
    }

    /**
     * Rewrites a class file: {@code around}, when not null, wraps the writer with class-level visitors that change the
     * class (a field added, calls replaced), and {@code advice}, when not null, is inlined into the concrete methods
     * {@code filter} selects.
     *
     * @return the new class file, or null when nothing was changed
     * @throws IllegalArgumentException when the advice does not fit a selected method
     */
    public static byte[] rewrite(byte[] classFile, InlineAdvice advice, MethodFilter filter,
                                 UnaryOperator<ClassVisitor> around) {
        return rewrite(classFile, advice == null ? null : new OneAdvice(advice, filter), around);
    }

    /**
     * As {@link #rewrite(byte[], InlineAdvice, MethodFilter, UnaryOperator)}, each concrete method getting the advice
     * {@code advice} chooses for it (at most one), all in one pass.
     */
    public static byte[] rewrite(byte[] classFile, MethodAdvice advice, UnaryOperator<ClassVisitor> around) {
        ClassReader reader = new ClassReader(classFile);
        Map<String, Integer> maxLocals = advice == null ? Map.of() : maxLocals(reader, advice);
        ClassWriter writer = new ClassWriter(reader, 0);
        Weaving weaving = new Weaving(around != null ? around.apply(writer) : writer, advice, maxLocals);
        reader.accept(weaving, ClassReader.EXPAND_FRAMES);
        return weaving.changed || around != null ? writer.toByteArray() : null;
    }

    /** The {@code max_locals} of each method that gets advice, keyed by name and descriptor. */
    private static Map<String, Integer> maxLocals(ClassReader reader, MethodAdvice advice) {
        Map<String, Integer> found = new HashMap<>();
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                if (chosen(access, name, descriptor, advice) == null) {
                    return null;
                }
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMaxs(int maxStack, int locals) {
                        found.put(name + descriptor, locals);
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return found;
    }

    private static InlineAdvice chosen(int access, String name, String descriptor, MethodAdvice advice) {
        return (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) == 0 ? advice.adviceFor(access, name, descriptor)
            : null;
    }

    /** One advice for the methods a filter selects; it reads no constant. */
    private static final class OneAdvice implements MethodAdvice {
        private final InlineAdvice advice;
        private final MethodFilter filter;

        OneAdvice(InlineAdvice advice, MethodFilter filter) {
            this.advice = advice;
            this.filter = filter;
        }

        @Override
        public InlineAdvice adviceFor(int access, String name, String descriptor) {
            return filter.selects(access, name, descriptor) ? advice : null;
        }

        @Override
        public int constantFor(int access, String name, String descriptor) {
            throw new IllegalArgumentException(advice.className() + " reads a @MethodConstant, which this rewrite"
                + " does not supply");
        }
    }

    private static final class Weaving extends ClassVisitor {
        private final MethodAdvice advice;
        private final Map<String, Integer> maxLocals;
        private String owner;
        private boolean frames;
        boolean changed;

        Weaving(ClassVisitor next, MethodAdvice advice, Map<String, Integer> maxLocals) {
            super(Opcodes.ASM9, next);
            this.advice = advice;
            this.maxLocals = maxLocals;
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName,
                          String[] interfaces) {
            owner = name;
            frames = (version & 0xFFFF) >= Opcodes.V1_6;
            super.visit(version, access, name, signature, superName, interfaces);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                         String[] exceptions) {
            MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
            Integer locals = maxLocals.get(name + descriptor);
            InlineAdvice chosen = advice == null || locals == null ? null : chosen(access, name, descriptor, advice);
            if (chosen == null) {
                return next;
            }
            changed = true;
            int constant = chosen.bindsConstant() ? advice.constantFor(access, name, descriptor) : 0;
            return new AdvisedMethod(next, chosen, owner, access, name, descriptor, locals, frames, constant);
        }
    }
}
