package dev.plume.instrumentation.matching;

import dev.plume.bootstrap.ResourceBytes;

import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What advice bytecode uses of the library it is inlined into: the types it names, the methods it calls and the fields
 * it reads, collected once from the advice class files. {@link #firstMissing} checks them against the classes a class
 * loader actually has (their class files read through it, loading nothing), so a library whose version does not fit the advice is
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
            try {
                byte[] classFile = dev.plume.instrumentation.weave.AdviceClassFiles.read(advice);
                if (classFile == null) {
                    throw new IllegalStateException("no class file for " + advice.getName());
                }
                new ClassReader(classFile).accept(references.collector(), ClassReader.SKIP_DEBUG);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + advice.getName(), e);
            }
        }
        return references;
    }

    /**
     * The first reference the classes {@code loader} can see do not satisfy, described for a log line; null when
     * everything is there. Classes are read as class files through the loader (the bootstrap loader's through the
     * platform loader), never loaded.
     */
    public String firstMissing(ClassLoader loader) {
        return firstMissing(new LoaderView(loader));
    }

    /** As {@link #firstMissing(ClassLoader)}, with class files from {@code classFiles} (null: no such class). */
    public String firstMissing(Function<String, byte[]> classFiles) {
        return firstMissing(new LoaderView(classFiles));
    }

    /**
     * As {@link #firstMissing(ClassLoader)}, through a view that remembers the class files it read: checking several
     * advice sets against one loader (a library's targets) reads and parses each of its classes once.
     */
    public String firstMissing(LoaderView view) {
        for (String type : types) {
            if (view.describe(type) == null) {
                return "class " + type.replace('/', '.');
            }
        }
        for (MethodRef method : methods) {
            if (view.describe(method.owner()) == null) {
                return "class " + method.owner().replace('/', '.');
            }
            if (!has(view, method.owner(), method.name() + method.descriptor(), true)) {
                return "method " + method.owner().replace('/', '.') + "#" + method.name() + method.descriptor();
            }
        }
        for (FieldRef field : fields) {
            if (view.describe(field.owner()) == null) {
                return "class " + field.owner().replace('/', '.');
            }
            if (!has(view, field.owner(), field.name() + ":" + field.descriptor(), false)) {
                return "field " + field.owner().replace('/', '.') + "#" + field.name();
            }
        }
        return null;
    }

    /**
     * What one class loader's classes declare, read from their class files on first need and kept (a few dozen library
     * types per loader); holds the loader weakly. Thread-safe.
     */
    public static final class LoaderView {
        private final java.lang.ref.WeakReference<ClassLoader> loader;
        private final boolean bootstrap;
        private final Function<String, byte[]> classFiles;
        private final Map<String, Declared> known = new HashMap<>();
        private final Set<String> absent = new HashSet<>();

        public LoaderView(ClassLoader loader) {
            this.loader = new java.lang.ref.WeakReference<>(loader);
            this.bootstrap = loader == null;
            this.classFiles = null;
        }

        LoaderView(Function<String, byte[]> classFiles) {
            this.loader = null;
            this.bootstrap = false;
            this.classFiles = classFiles;
        }

        synchronized Declared describe(String internalName) {
            Declared declared = known.get(internalName);
            if (declared != null || absent.contains(internalName)) {
                return declared;
            }
            declared = Declared.of(classFiles != null ? classFiles.apply(internalName) : read(internalName));
            if (declared == null) {
                absent.add(internalName);
            } else {
                known.put(internalName, declared);
            }
            return declared;
        }

        private byte[] read(String internalName) {
            ClassLoader target = bootstrap ? ClassLoader.getPlatformClassLoader() : loader.get();
            if (target == null) {
                return null; // the loader is gone: nothing will be defined by it any more
            }
            try (InputStream in = target.getResourceAsStream(internalName + ".class")) {
                return in == null ? null : ResourceBytes.read(in);
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }

    /** How many references are checked (for tests). */
    public int size() {
        return types.size() + methods.size() + fields.size();
    }

    /** Whether the type or one of its supertypes (interfaces too, for methods) declares the member. */
    private static boolean has(LoaderView view, String owner, String member, boolean method) {
        List<String> pending = new ArrayList<>();
        pending.add(owner);
        Set<String> seen = new HashSet<>();
        while (!pending.isEmpty()) {
            String next = pending.remove(pending.size() - 1);
            Declared type = seen.add(next) ? view.describe(next) : null;
            if (type == null) {
                continue;
            }
            if ((method ? type.methods : type.fields).contains(member)) {
                return true;
            }
            if (type.superName != null) {
                pending.add(type.superName);
            }
            if (method) {
                pending.addAll(type.interfaces);
            }
        }
        return false;
    }

    /** What a class file declares: its supertypes, methods (name and descriptor) and fields (name:descriptor). */
    private record Declared(String superName, List<String> interfaces, Set<String> methods, Set<String> fields) {
        static Declared of(byte[] classFile) {
            if (classFile == null) {
                return null;
            }
            try {
                ClassReader reader = new ClassReader(classFile);
                Set<String> methods = new HashSet<>();
                Set<String> fields = new HashSet<>();
                reader.accept(new ClassVisitor(Opcodes.ASM9) {
                    @Override
                    public FieldVisitor visitField(int access, String name, String descriptor, String signature,
                                                   Object value) {
                        fields.add(name + ":" + descriptor);
                        return null;
                    }

                    @Override
                    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                                     String[] exceptions) {
                        methods.add(name + descriptor);
                        return null;
                    }
                }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
                return new Declared(reader.getSuperName(), List.of(reader.getInterfaces()), methods, fields);
            } catch (RuntimeException e) {
                return null; // unreadable: as if absent
            }
        }
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
