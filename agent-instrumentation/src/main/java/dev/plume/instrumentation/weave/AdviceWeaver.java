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
 * Plume's class rewriter: inlines advice into the methods a filter selects, with ASM alone. It reads and writes the
 * class file once per advice (the class's constant pool is kept and the methods it does not touch are copied as they
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
        ClassReader reader = new ClassReader(classFile);
        Map<String, Integer> maxLocals = advice == null ? Map.of() : maxLocals(reader, filter);
        ClassWriter writer = new ClassWriter(reader, 0);
        Weaving weaving = new Weaving(around != null ? around.apply(writer) : writer, advice, filter, maxLocals);
        reader.accept(weaving, ClassReader.EXPAND_FRAMES);
        return weaving.changed || around != null ? writer.toByteArray() : null;
    }

    /** The {@code max_locals} of each method the filter selects, keyed by name and descriptor. */
    private static Map<String, Integer> maxLocals(ClassReader reader, MethodFilter filter) {
        Map<String, Integer> found = new HashMap<>();
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                if (!woven(access, name, descriptor, filter)) {
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

    private static boolean woven(int access, String name, String descriptor, MethodFilter filter) {
        return (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) == 0 && filter.selects(access, name, descriptor);
    }

    private static final class Weaving extends ClassVisitor {
        private final InlineAdvice advice;
        private final MethodFilter filter;
        private final Map<String, Integer> maxLocals;
        private String owner;
        private boolean frames;
        boolean changed;

        Weaving(ClassVisitor next, InlineAdvice advice, MethodFilter filter, Map<String, Integer> maxLocals) {
            super(Opcodes.ASM9, next);
            this.advice = advice;
            this.filter = filter;
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
            if (advice == null || locals == null || !woven(access, name, descriptor, filter)) {
                return next;
            }
            changed = true;
            return new AdvisedMethod(next, advice, owner, access, name, descriptor, locals, frames);
        }
    }
}
