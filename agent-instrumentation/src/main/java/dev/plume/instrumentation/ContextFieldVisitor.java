package dev.plume.instrumentation;

import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

import java.util.Arrays;

/**
 * Gives a class, at its first load, the per-object context field and the two accessors of
 * {@code ContextCarrier}, at the class-file level (straight-line accessors need no stack map frames).
 */
final class ContextFieldVisitor {
    private static final String CARRIER = "dev/plume/bootstrap/context/ContextCarrier";
    private static final String FIELD = "plume$context";
    private static final String OBJECT = "Ljava/lang/Object;";

    private ContextFieldVisitor() {
    }

    /** Wraps {@code classVisitor}: the class it receives implements {@code ContextCarrier}. */
    static ClassVisitor wrap(ClassVisitor classVisitor) {
        return new ClassVisitor(Opcodes.ASM9, classVisitor) {
            private String owner;

            @Override
            public void visit(int version, int access, String name, String signature, String superName,
                              String[] interfaces) {
                owner = name;
                String[] withCarrier = Arrays.copyOf(interfaces == null ? new String[0] : interfaces,
                    interfaces == null ? 1 : interfaces.length + 1);
                withCarrier[withCarrier.length - 1] = CARRIER;
                super.visit(version, access, name, signature, superName, withCarrier);
            }

            @Override
            public void visitEnd() {
                super.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_VOLATILE | Opcodes.ACC_TRANSIENT
                    | Opcodes.ACC_SYNTHETIC, FIELD, OBJECT, null, null).visitEnd();
                MethodVisitor get = super.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_SYNTHETIC, "plume$getContext",
                    "()" + OBJECT, null, null);
                get.visitCode();
                get.visitVarInsn(Opcodes.ALOAD, 0);
                get.visitFieldInsn(Opcodes.GETFIELD, owner, FIELD, OBJECT);
                get.visitInsn(Opcodes.ARETURN);
                get.visitMaxs(1, 1);
                get.visitEnd();
                MethodVisitor set = super.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_SYNTHETIC, "plume$setContext",
                    "(" + OBJECT + ")V", null, null);
                set.visitCode();
                set.visitVarInsn(Opcodes.ALOAD, 0);
                set.visitVarInsn(Opcodes.ALOAD, 1);
                set.visitFieldInsn(Opcodes.PUTFIELD, owner, FIELD, OBJECT);
                set.visitInsn(Opcodes.RETURN);
                set.visitMaxs(2, 2);
                set.visitEnd();
                super.visitEnd();
            }
        };
    }
}
