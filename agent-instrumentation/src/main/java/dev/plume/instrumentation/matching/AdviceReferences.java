package dev.plume.instrumentation.matching;

import net.bytebuddy.description.field.FieldDescription;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDefinition;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import net.bytebuddy.pool.TypePool;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What advice bytecode uses of the library it is inlined into: the types it names, the methods it calls and the fields
 * it reads, collected once from the advice class files. {@link #firstMissing} checks them against the classes a class
 * loader actually has (through a type pool, loading nothing), so a library whose version does not fit the advice is
 * switched off for that loader instead of failing with {@code NoSuchMethodError} on every call. References to the
 * agent's own runtime ({@code dev/plume/}) are not checked: that is always there.
 */
public final class AdviceReferences {
    private record MethodRef(String owner, String name, String descriptor, boolean isInterface) {
    }

    private record FieldRef(String owner, String name, String descriptor) {
    }

    private final Set<String> types = new LinkedHashSet<>();
    private final Set<MethodRef> methods = new LinkedHashSet<>();
    private final Set<FieldRef> fields = new LinkedHashSet<>();

    private AdviceReferences() {
    }

    /** Reads the references of these classes from their class files (served by their own class loader). */
    public static AdviceReferences of(List<Class<?>> adviceClasses) {
        AdviceReferences references = new AdviceReferences();
        for (Class<?> advice : adviceClasses) {
            String resource = advice.getName().replace('.', '/') + ".class";
            ClassLoader loader = advice.getClassLoader();
            try (InputStream in = loader != null ? loader.getResourceAsStream(resource)
                : ClassLoader.getSystemResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("no class file for " + advice.getName());
                }
                new ClassReader(in.readAllBytes()).accept(references.collector(), ClassReader.SKIP_DEBUG);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + advice.getName(), e);
            }
        }
        return references;
    }

    /** The first reference {@code pool} cannot resolve, described for a log line; null when everything is there. */
    public String firstMissing(TypePool pool) {
        for (String type : types) {
            if (!pool.describe(type.replace('/', '.')).isResolved()) {
                return "class " + type.replace('/', '.');
            }
        }
        for (MethodRef method : methods) {
            TypePool.Resolution owner = pool.describe(method.owner().replace('/', '.'));
            if (!owner.isResolved()) {
                return "class " + method.owner().replace('/', '.');
            }
            if (!hasMethod(owner.resolve(), method.name(), method.descriptor())) {
                return "method " + method.owner().replace('/', '.') + "#" + method.name() + method.descriptor();
            }
        }
        for (FieldRef field : fields) {
            TypePool.Resolution owner = pool.describe(field.owner().replace('/', '.'));
            if (!owner.isResolved()) {
                return "class " + field.owner().replace('/', '.');
            }
            if (!hasField(owner.resolve(), field.name(), field.descriptor())) {
                return "field " + field.owner().replace('/', '.') + "#" + field.name();
            }
        }
        return null;
    }

    /** How many references are checked (for tests). */
    public int size() {
        return types.size() + methods.size() + fields.size();
    }

    private static boolean hasMethod(TypeDescription type, String name, String descriptor) {
        List<TypeDefinition> pending = new ArrayList<>();
        pending.add(type);
        Set<String> seen = new LinkedHashSet<>();
        while (!pending.isEmpty()) {
            TypeDefinition next = pending.remove(pending.size() - 1);
            if (!seen.add(next.getTypeName())) {
                continue;
            }
            for (MethodDescription.InDefinedShape method : next.asErasure().getDeclaredMethods()) {
                if (method.getInternalName().equals(name) && method.getDescriptor().equals(descriptor)) {
                    return true;
                }
            }
            if (next.getSuperClass() != null) {
                pending.add(next.getSuperClass());
            }
            pending.addAll(next.getInterfaces());
        }
        return false;
    }

    private static boolean hasField(TypeDescription type, String name, String descriptor) {
        for (TypeDefinition next = type; next != null; next = next.getSuperClass()) {
            for (FieldDescription.InDefinedShape field : next.asErasure().getDeclaredFields()) {
                if (field.getName().equals(name) && field.getDescriptor().equals(descriptor)) {
                    return true;
                }
            }
        }
        return false;
    }

    private void type(String internalName) {
        if (internalName != null && !internalName.startsWith("dev/plume/") && !internalName.startsWith("[")) {
            types.add(internalName);
        }
    }

    private void descriptorTypes(String descriptor) {
        Type type = Type.getType(descriptor);
        if (type.getSort() == Type.METHOD) {
            descriptorTypes(type.getReturnType().getDescriptor());
            for (Type argument : type.getArgumentTypes()) {
                descriptorTypes(argument.getDescriptor());
            }
        } else if (type.getSort() == Type.ARRAY) {
            descriptorTypes(type.getElementType().getDescriptor());
        } else if (type.getSort() == Type.OBJECT) {
            type(type.getInternalName());
        }
    }

    private ClassVisitor collector() {
        return new ClassVisitor(Opcodes.ASM9) {
            @Override
            public FieldVisitor visitField(int access, String name, String descriptor, String signature,
                                           Object value) {
                return null;
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                if ((access & Opcodes.ACC_STATIC) == 0) {
                    return null; // advice methods are static; the rest (a private constructor) is never inlined
                }
                descriptorTypes(descriptor);
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String methodName, String methodDescriptor,
                                                boolean isInterface) {
                        if (!owner.startsWith("dev/plume/") && !owner.startsWith("[")) {
                            methods.add(new MethodRef(owner, methodName, methodDescriptor, isInterface));
                        }
                    }

                    @Override
                    public void visitFieldInsn(int opcode, String owner, String fieldName, String fieldDescriptor) {
                        if (!owner.startsWith("dev/plume/")) {
                            fields.add(new FieldRef(owner, fieldName, fieldDescriptor));
                        }
                    }

                    @Override
                    public void visitTypeInsn(int opcode, String type) {
                        type(type);
                    }
                };
            }
        };
    }
}
