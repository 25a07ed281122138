package dev.plume.instrumentation.weave;

import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * An advice class written with ByteBuddy's advice annotations ({@code @Advice.OnMethodEnter}, {@code @Advice.Argument},
 * ...), read from its class file for {@link AdviceWeaver}: which static methods run on enter and on exit, what each
 * parameter is bound to, and which throwables are suppressed or make the exit advice run. Only the annotations are read
 * (by descriptor), so nothing of ByteBuddy is loaded.
 *
 * <p>Plume's weaver inlines the subset of ByteBuddy's advice that its instrumentation uses; anything outside it is
 * refused here, once, with the reason, rather than woven wrongly: bindings {@code @This}, {@code @Argument(n)} (written
 * back when {@code readOnly = false}, in enter advice), {@code @Enter}, {@code @Return} (written back when
 * {@code readOnly = false}), {@code @Thrown}, {@code @Origin("#m")}, {@code @AllArguments} (an {@code Object[]} of the
 * arguments, boxed, made where the enter advice reads it: read it once), and Plume's own {@link MethodConstant} (an
 * {@code int} the rewrite chooses per method); {@code suppress} and {@code onThrowable}. The advice code may call
 * anything public but not its own class (its code is copied into another class), and uses no lambda.
 */
public final class InlineAdvice {
    /** What an advice parameter is bound to. */
    public enum Bind { THIS, ARGUMENT, ENTER, RETURN, THROWN, METHOD_NAME, ALL_ARGUMENTS, CONSTANT }

    /** One advice parameter: its binding, the argument index for {@code ARGUMENT}, whether writes are kept. */
    public record Parameter(Bind bind, int index, boolean writable, Type type) {
    }

    /** An enter or an exit advice method. */
    public static final class Method {
        final String name;
        final String descriptor;
        final Parameter[] parameters;
        final Type returnType;
        /** Internal name of the throwable type whose throws the advice swallows, or null. */
        final String suppress;
        /** Exit only: internal name of the throwable type that also runs the exit advice, or null. */
        final String onThrowable;
        /** Local variable slots the parameters take. */
        final int parameterSlots;
        final int maxStack;
        final int maxLocals;

        Method(String name, String descriptor, Parameter[] parameters, String suppress, String onThrowable,
               int maxStack, int maxLocals) {
            this.name = name;
            this.descriptor = descriptor;
            this.parameters = parameters;
            this.returnType = Type.getReturnType(descriptor);
            this.suppress = suppress;
            this.onThrowable = onThrowable;
            int slots = 0;
            for (Type argument : Type.getArgumentTypes(descriptor)) {
                slots += argument.getSize();
            }
            this.parameterSlots = slots;
            this.maxStack = maxStack;
            this.maxLocals = maxLocals;
        }

        /** The parameter whose value lives in advice slot {@code slot} (slot below {@link #parameterSlots}). */
        Parameter parameterAt(int slot) {
            int at = 0;
            for (Parameter parameter : parameters) {
                if (slot < at + parameter.type().getSize()) {
                    return parameter;
                }
                at += parameter.type().getSize();
            }
            throw new IllegalArgumentException("slot " + slot + " is not a parameter of " + name);
        }

        boolean binds(Bind bind) {
            for (Parameter parameter : parameters) {
                if (parameter.bind() == bind) {
                    return true;
                }
            }
            return false;
        }
    }

    /** ByteBuddy's package as relocated in this build ({@code net/bytebuddy/} in tests, shaded in the agent jar). */
    private static final String BYTE_BUDDY = ClassReader.class.getName()
        .substring(0, ClassReader.class.getName().length() - "jar.asm.ClassReader".length()).replace('.', '/');
    private static final String ADVICE = "L" + BYTE_BUDDY + "asm/Advice$";
    private static final String ON_ENTER = ADVICE + "OnMethodEnter;";
    private static final String ON_EXIT = ADVICE + "OnMethodExit;";
    private static final String NO_HANDLER = "L" + BYTE_BUDDY + "asm/Advice$NoExceptionHandler;";
    private static final String METHOD_CONSTANT = Type.getDescriptor(MethodConstant.class);
    private static final Type OBJECT_ARRAY = Type.getType(Object[].class);

    final String internalName;
    final byte[] classFile;
    final Method enter;
    final Method exit;

    private InlineAdvice(String internalName, byte[] classFile, Method enter, Method exit) {
        this.internalName = internalName;
        this.classFile = classFile;
        this.enter = enter;
        this.exit = exit;
    }

    /** Reads the advice class's file from its own class loader. */
    public static InlineAdvice of(Class<?> adviceClass) {
        try {
            byte[] classFile = AdviceClassFiles.read(adviceClass);
            if (classFile == null) {
                throw new IllegalArgumentException("no class file for " + adviceClass.getName());
            }
            return parse(classFile);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + adviceClass.getName() + ": " + e, e);
        }
    }

    /**
     * Parses an advice class file.
     *
     * @throws IllegalArgumentException naming what Plume's weaver does not support, when the advice uses it
     */
    public static InlineAdvice parse(byte[] classFile) {
        ClassReader reader = new ClassReader(classFile);
        Collector collector = new Collector(reader.getClassName());
        reader.accept(collector, ClassReader.SKIP_FRAMES);
        if (collector.problem != null) {
            throw new IllegalArgumentException(reader.getClassName().replace('/', '.') + ": " + collector.problem);
        }
        if (collector.enter == null && collector.exit == null) {
            throw new IllegalArgumentException(reader.getClassName().replace('/', '.')
                + " has no @OnMethodEnter or @OnMethodExit method");
        }
        InlineAdvice advice = new InlineAdvice(reader.getClassName(), classFile, collector.enter, collector.exit);
        String problem = advice.check();
        if (problem != null) {
            throw new IllegalArgumentException(reader.getClassName().replace('/', '.') + ": " + problem);
        }
        return advice;
    }

    public String className() {
        return internalName.replace('/', '.');
    }

    /** Whether the enter or exit advice reads a {@link MethodConstant}, which the rewrite must then supply. */
    public boolean bindsConstant() {
        return (enter != null && enter.binds(Bind.CONSTANT)) || (exit != null && exit.binds(Bind.CONSTANT));
    }

    /** Whether the exit advice also runs when the method throws. */
    public boolean exitsOnThrowable() {
        return exit != null && exit.onThrowable != null;
    }

    private String check() {
        for (Method method : new Method[] {enter, exit}) {
            for (int i = 0; method != null && i < method.parameters.length; i++) {
                Parameter parameter = method.parameters[i];
                if (parameter.bind() == Bind.ALL_ARGUMENTS && !parameter.type().equals(OBJECT_ARRAY)) {
                    return "@AllArguments must be an Object[]";
                }
                if (parameter.bind() == Bind.CONSTANT && parameter.type().getSort() != Type.INT) {
                    return "@MethodConstant must be an int";
                }
            }
        }
        if (enter != null) {
            for (Parameter parameter : enter.parameters) {
                if (parameter.bind() == Bind.ENTER || parameter.bind() == Bind.RETURN
                    || parameter.bind() == Bind.THROWN) {
                    return "enter advice cannot bind " + parameter.bind();
                }
            }
        }
        if (exit != null) {
            if (exit.binds(Bind.ALL_ARGUMENTS)) {
                return "@AllArguments is supported in enter advice only";
            }
            if (exit.returnType.getSort() != Type.VOID) {
                return "exit advice must be void";
            }
            for (Parameter parameter : exit.parameters) {
                if (parameter.bind() == Bind.ENTER && (enter == null || enter.returnType.getSort() == Type.VOID
                    || !enter.returnType.equals(parameter.type()))) {
                    return "@Enter must have the enter advice's return type";
                }
                if (parameter.bind() == Bind.THROWN && exit.onThrowable == null) {
                    return "@Thrown needs onThrowable";
                }
            }
        }
        return null;
    }

    /** Reads the advice annotations, and refuses code that cannot be copied into another class. */
    private static final class Collector extends ClassVisitor {
        private final String owner;
        Method enter;
        Method exit;
        String problem;

        Collector(String owner) {
            super(Opcodes.ASM9);
            this.owner = owner;
        }

        private void problem(String text) {
            if (problem == null) {
                problem = text;
            }
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                         String[] exceptions) {
            if ((access & Opcodes.ACC_STATIC) == 0) {
                return null; // the private constructor
            }
            Type[] types = Type.getArgumentTypes(descriptor);
            Parameter[] parameters = new Parameter[types.length];
            String[] kind = new String[1];
            String[] suppress = new String[1];
            String[] onThrowable = new String[1];
            return new MethodVisitor(Opcodes.ASM9) {
                private int maxStack;
                private int maxLocals;

                @Override
                public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
                    if (!annotation.equals(ON_ENTER) && !annotation.equals(ON_EXIT)) {
                        return null;
                    }
                    kind[0] = annotation;
                    return new AnnotationVisitor(Opcodes.ASM9) {
                        @Override
                        public void visit(String attribute, Object value) {
                            switch (attribute) {
                                case "suppress" -> suppress[0] = handlerType(value);
                                case "onThrowable" -> onThrowable[0] = handlerType(value);
                                case "inline" -> {
                                    if (Boolean.FALSE.equals(value)) {
                                        problem(name + ": inline = false is not supported");
                                    }
                                }
                                case "prependLineNumber", "backupArguments" -> {
                                }
                                default -> problem(name + ": " + attribute + " is not supported");
                            }
                        }
                    };
                }

                @Override
                public AnnotationVisitor visitParameterAnnotation(int parameter, String annotation, boolean visible) {
                    if (annotation.equals(METHOD_CONSTANT)) {
                        parameters[parameter] = new Parameter(Bind.CONSTANT, 0, false, types[parameter]);
                        return null;
                    }
                    if (!annotation.startsWith(ADVICE)) {
                        return null;
                    }
                    String simple = annotation.substring(ADVICE.length(), annotation.length() - 1);
                    Type type = types[parameter];
                    boolean[] writable = new boolean[1];
                    int[] index = new int[1];
                    String[] origin = new String[1];
                    return new AnnotationVisitor(Opcodes.ASM9) {
                        @Override
                        public void visit(String attribute, Object value) {
                            switch (attribute) {
                                case "value" -> {
                                    if (value instanceof Integer number) {
                                        index[0] = number;
                                    } else {
                                        origin[0] = String.valueOf(value);
                                    }
                                }
                                case "readOnly" -> writable[0] = Boolean.FALSE.equals(value);
                                case "optional" -> {
                                }
                                case "includeSelf", "nullIfEmpty" -> {
                                    if (Boolean.TRUE.equals(value)) {
                                        problem(name + ": @" + simple + "(" + attribute + " = true) is not supported");
                                    }
                                }
                                default -> problem(name + ": @" + simple + "(" + attribute + ") is not supported");
                            }
                        }

                        @Override
                        public void visitEnum(String attribute, String descriptor, String value) {
                            if (!attribute.equals("typing")) {
                                problem(name + ": @" + simple + "(" + attribute + ") is not supported");
                            }
                        }

                        @Override
                        public void visitEnd() {
                            Bind bind = switch (simple) {
                                case "This" -> Bind.THIS;
                                case "Argument" -> Bind.ARGUMENT;
                                case "Enter" -> Bind.ENTER;
                                case "Return" -> Bind.RETURN;
                                case "Thrown" -> Bind.THROWN;
                                case "Origin" -> Bind.METHOD_NAME;
                                case "AllArguments" -> Bind.ALL_ARGUMENTS;
                                default -> null;
                            };
                            if (bind == null) {
                                problem(name + ": @" + simple + " is not supported");
                                return;
                            }
                            if (bind == Bind.METHOD_NAME && !"#m".equals(origin[0])) {
                                problem(name + ": only @Origin(\"#m\") is supported");
                                return;
                            }
                            if (bind == Bind.ALL_ARGUMENTS && writable[0]) {
                                problem(name + ": @AllArguments cannot be written (readOnly = false)");
                                return;
                            }
                            parameters[parameter] = new Parameter(bind, index[0], writable[0], type);
                        }
                    };
                }

                @Override
                public void visitMethodInsn(int opcode, String methodOwner, String method, String methodDescriptor,
                                            boolean isInterface) {
                    if (kind[0] != null && methodOwner.equals(owner)) {
                        problem(name + " calls its own class (" + method + "), which the copied code cannot reach");
                    }
                }

                @Override
                public void visitFieldInsn(int opcode, String fieldOwner, String field, String fieldDescriptor) {
                    if (kind[0] != null && fieldOwner.equals(owner)) {
                        problem(name + " uses its own class's field " + field
                            + " (only compile-time constants can be copied)");
                    }
                }

                @Override
                public void visitInvokeDynamicInsn(String method, String methodDescriptor, Handle bootstrap,
                                                   Object... arguments) {
                    for (Object argument : arguments) {
                        if (kind[0] != null && argument instanceof Handle handle && handle.getOwner().equals(owner)) {
                            problem(name + " uses a lambda, whose body stays in the advice class");
                        }
                    }
                }

                @Override
                public void visitJumpInsn(int opcode, net.bytebuddy.jar.asm.Label label) {
                    if (kind[0] != null && opcode == Opcodes.JSR) {
                        problem(name + " uses JSR");
                    }
                }

                @Override
                public void visitMaxs(int stack, int locals) {
                    maxStack = stack;
                    maxLocals = locals;
                }

                @Override
                public void visitEnd() {
                    if (kind[0] == null) {
                        return;
                    }
                    for (int i = 0; i < parameters.length; i++) {
                        if (parameters[i] == null) {
                            problem(name + ": parameter " + i + " has no advice annotation");
                            return;
                        }
                    }
                    Method method = new Method(name, descriptor, parameters, suppress[0],
                        kind[0].equals(ON_EXIT) ? onThrowable[0] : null, maxStack, maxLocals);
                    if (kind[0].equals(ON_ENTER)) {
                        if (enter != null) {
                            problem("two @OnMethodEnter methods");
                        }
                        enter = method;
                    } else {
                        if (exit != null) {
                            problem("two @OnMethodExit methods");
                        }
                        exit = method;
                    }
                }
            };
        }

        private static String handlerType(Object value) {
            Type type = (Type) value;
            return type.getDescriptor().equals(NO_HANDLER) ? null : type.getInternalName();
        }
    }
}
