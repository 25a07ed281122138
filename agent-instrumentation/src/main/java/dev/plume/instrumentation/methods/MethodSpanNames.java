package dev.plume.instrumentation.methods;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * The name the OpenTelemetry agent gives a method's span when nothing names it: the class's simple name, a dot, the
 * method's name ({@code OrderService.place}). The simple name is read from the class file's own InnerClasses entry (a
 * nested or local class's simple name; an anonymous class has none, and is named by its binary name without the
 * package, {@code Outer$1}, as the agent does), so nothing is loaded.
 */
public final class MethodSpanNames {
    private MethodSpanNames() {
    }

    /** The simple name of the class whose file this is. */
    public static String simpleName(byte[] classFile) {
        ClassReader reader = new ClassReader(classFile);
        String internalName = reader.getClassName();
        String[] inner = new String[1];
        boolean[] nested = new boolean[1];
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public void visitInnerClass(String name, String outerName, String innerName, int access) {
                if (name.equals(internalName)) {
                    nested[0] = true;
                    inner[0] = innerName;
                }
            }
        }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return nested[0] && inner[0] != null ? inner[0] : withoutPackage(internalName);
    }

    static String withoutPackage(String internalName) {
        return internalName.substring(internalName.lastIndexOf('/') + 1);
    }
}
