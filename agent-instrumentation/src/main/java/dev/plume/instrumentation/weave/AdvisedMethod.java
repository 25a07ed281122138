package dev.plume.instrumentation.weave;

import dev.plume.instrumentation.weave.InlineAdvice.Bind;
import dev.plume.instrumentation.weave.InlineAdvice.Parameter;
import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.Attribute;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import net.bytebuddy.jar.asm.TypePath;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Weaves one advice into one method, as ByteBuddy's inlining advice does: the enter advice's code is copied in front of
 * the method's, every return becomes a jump to one exit block holding the exit advice's code, and, with
 * {@code onThrowable}, a handler around the original code runs the same block for a throw and rethrows.
 *
 * <p>The advice's locals, and the values the exit needs (the enter advice's result, the arguments it reads, the return
 * value, the throwable), get slots above the method's own ({@code max_locals}, read beforehand), so nothing of the
 * original code is renumbered. Stack map frames are written, not computed (which would need the class hierarchy, i.e.
 * loading classes): the method's own frames get the reserved slots appended, the advice's frames are rebased onto the
 * state at the point they are copied to, and the few inserted join points get frames built from the same state.
 */
final class AdvisedMethod extends MethodVisitor {
    private static final String THROWABLE = "java/lang/Throwable";

    private final InlineAdvice advice;
    private final String owner;
    private final String methodName;
    private final boolean isStatic;
    private final boolean isConstructor;
    private final boolean frames;
    private final Type[] argumentTypes;
    private final Type returnType;
    private final int[] argumentSlots;
    private final int enterSlot;
    private final int[] copySlots;
    private final int returnSlot;
    private final int thrownSlot;
    private final int adviceLocals;
    private final int maxLocals;
    /** What {@code @MethodConstant} parameters read in this method. */
    private final int constant;
    private final Label bodyStart = new Label();
    private final Label exitNormal = new Label();

    /**
     * @param originalMaxLocals the method's {@code max_locals}, read before weaving
     * @param frames whether the class file version has stack map frames (50 and later)
     * @param constant what the advice's {@code @MethodConstant} parameters read here
     * @throws IllegalArgumentException when the advice does not fit this method
     */
    AdvisedMethod(MethodVisitor target, InlineAdvice advice, String owner, int access, String name, String descriptor,
                  int originalMaxLocals, boolean frames, int constant) {
        super(Opcodes.ASM9, target);
        this.advice = advice;
        this.constant = constant;
        this.owner = owner;
        this.methodName = name;
        this.isStatic = (access & Opcodes.ACC_STATIC) != 0;
        this.isConstructor = name.equals("<init>");
        this.frames = frames;
        this.argumentTypes = Type.getArgumentTypes(descriptor);
        this.returnType = Type.getReturnType(descriptor);
        this.argumentSlots = new int[argumentTypes.length];
        int slot = isStatic ? 0 : 1;
        for (int i = 0; i < argumentTypes.length; i++) {
            argumentSlots[i] = slot;
            slot += argumentTypes[i].getSize();
        }
        check(advice.enter, true);
        check(advice.exit, false);
        int next = Math.max(originalMaxLocals, slot);
        if (advice.enter != null && advice.exit != null && advice.exit.binds(Bind.ENTER)) {
            enterSlot = next;
            next += advice.enter.returnType.getSize();
        } else {
            enterSlot = -1;
        }
        copySlots = new int[argumentTypes.length];
        Arrays.fill(copySlots, -1);
        if (advice.exit != null) {
            for (Parameter parameter : advice.exit.parameters) {
                if (parameter.bind() == Bind.ARGUMENT && copySlots[parameter.index()] < 0) {
                    copySlots[parameter.index()] = next;
                    next += argumentTypes[parameter.index()].getSize();
                }
            }
        }
        returnSlot = advice.exit != null && returnType.getSort() != Type.VOID ? next : -1;
        next += returnSlot >= 0 ? returnType.getSize() : 0;
        thrownSlot = advice.exitsOnThrowable() ? next++ : -1;
        adviceLocals = next;
        int extra = 0;
        for (InlineAdvice.Method method : new InlineAdvice.Method[] {advice.enter, advice.exit}) {
            if (method != null) {
                extra = Math.max(extra, method.maxLocals - method.parameterSlots);
            }
        }
        maxLocals = next + extra;
    }

    private void check(InlineAdvice.Method method, boolean enter) {
        if (method == null) {
            return;
        }
        if (!enter && isConstructor && method.onThrowable != null) {
            throw new IllegalArgumentException("exit advice on a throwable cannot wrap a constructor");
        }
        for (Parameter parameter : method.parameters) {
            switch (parameter.bind()) {
                case THIS -> {
                    if (isStatic || (enter && isConstructor)) {
                        throw new IllegalArgumentException("@This is not available in " + methodName);
                    }
                }
                case ARGUMENT -> {
                    if (parameter.index() >= argumentTypes.length) {
                        throw new IllegalArgumentException(methodName + " has no argument " + parameter.index());
                    }
                    Type type = argumentTypes[parameter.index()];
                    if (!compatible(type, parameter.type())
                        || (enter && parameter.writable() && !type.equals(parameter.type()))) {
                        throw new IllegalArgumentException("argument " + parameter.index() + " of " + methodName
                            + " is " + type.getClassName() + ", not " + parameter.type().getClassName());
                    }
                }
                case RETURN -> {
                    if (returnType.getSort() == Type.VOID || !compatible(returnType, parameter.type())) {
                        throw new IllegalArgumentException(methodName + " returns " + returnType.getClassName()
                            + ", not " + parameter.type().getClassName());
                    }
                }
                default -> {
                }
            }
        }
    }

    /** Whether a value of type {@code actual} can be bound to an advice parameter of type {@code declared}. */
    private static boolean compatible(Type actual, Type declared) {
        boolean actualReference = actual.getSort() == Type.OBJECT || actual.getSort() == Type.ARRAY;
        boolean declaredReference = declared.getSort() == Type.OBJECT || declared.getSort() == Type.ARRAY;
        return actualReference ? declaredReference : actual.equals(declared);
    }

    // ---- the method's own code

    @Override
    public void visitCode() {
        super.visitCode();
        if (advice.enter != null) {
            Label done = new Label();
            int resultStore = enterSlot >= 0 ? enterSlot : -1;
            inline(advice.enter, true, done, resultStore);
            mv.visitLabel(done);
            frame(enteredSlots(), null);
            mv.visitInsn(Opcodes.NOP); // a frame of the method's own may follow at the next offset
        }
        for (int i = 0; i < argumentTypes.length; i++) {
            if (copySlots[i] >= 0) {
                mv.visitVarInsn(argumentTypes[i].getOpcode(Opcodes.ILOAD), argumentSlots[i]);
                mv.visitVarInsn(argumentTypes[i].getOpcode(Opcodes.ISTORE), copySlots[i]);
            }
        }
        mv.visitLabel(bodyStart);
    }

    @Override
    public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
        if (!frames) {
            return;
        }
        if (type != Opcodes.F_NEW) {
            throw new IllegalStateException("frames must be expanded");
        }
        Object[] slots = new Object[maxLocals];
        int slot = 0;
        for (int i = 0; i < numLocal; i++) {
            slots[slot] = local[i];
            slot += size(local[i]);
        }
        reserved(slots, false);
        Object[] locals = Frames.locals(slots);
        mv.visitFrame(Opcodes.F_NEW, locals.length, locals, numStack, stack);
    }

    @Override
    public void visitInsn(int opcode) {
        if (advice.exit != null && opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
            if (returnSlot >= 0) {
                mv.visitVarInsn(returnType.getOpcode(Opcodes.ISTORE), returnSlot);
            }
            mv.visitJumpInsn(Opcodes.GOTO, exitNormal);
            return;
        }
        super.visitInsn(opcode);
    }

    @Override
    public void visitMaxs(int maxStack, int originalMaxLocals) {
        if (advice.exit != null) {
            writeExit();
        }
        int stack = Math.max(maxStack, 2);
        if (advice.enter != null) {
            // an @AllArguments read becomes: the array, its copy, an index and a (wide) value where one reference was
            stack = Math.max(stack, advice.enter.maxStack + 1 + (advice.enter.binds(Bind.ALL_ARGUMENTS) ? 4 : 0));
        }
        if (advice.exit != null) {
            stack = Math.max(stack, advice.exit.maxStack + 1);
        }
        super.visitMaxs(stack, maxLocals);
    }

    /** The exit block: reached by a jump from every return, and from the handler when the exit runs on a throw. */
    private void writeExit() {
        Label bodyEnd = new Label();
        mv.visitLabel(bodyEnd);
        Label handler = new Label();
        Label exitAdvice = new Label();
        boolean onThrowable = thrownSlot >= 0;
        if (onThrowable) {
            mv.visitLabel(handler);
            frame(exitSlots(false, false, false), advice.exit.onThrowable);
            mv.visitVarInsn(Opcodes.ASTORE, thrownSlot);
            if (returnSlot >= 0) {
                pushDefault(returnType);
                mv.visitVarInsn(returnType.getOpcode(Opcodes.ISTORE), returnSlot);
            }
            mv.visitJumpInsn(Opcodes.GOTO, exitAdvice);
        }
        mv.visitLabel(exitNormal);
        frame(exitSlots(true, false, false), null);
        if (onThrowable) {
            mv.visitInsn(Opcodes.ACONST_NULL);
            mv.visitVarInsn(Opcodes.ASTORE, thrownSlot);
            mv.visitLabel(exitAdvice);
            frame(exitSlots(true, true, false), null);
        }
        Label done = new Label();
        inline(advice.exit, false, done, -1);
        mv.visitLabel(done);
        Object[] after = exitSlots(true, true, true);
        frame(after, null);
        if (onThrowable) {
            Label normal = new Label();
            mv.visitVarInsn(Opcodes.ALOAD, thrownSlot);
            mv.visitJumpInsn(Opcodes.IFNULL, normal);
            mv.visitVarInsn(Opcodes.ALOAD, thrownSlot);
            mv.visitInsn(Opcodes.ATHROW);
            mv.visitLabel(normal);
            frame(after, null);
        }
        if (returnSlot >= 0) {
            mv.visitVarInsn(returnType.getOpcode(Opcodes.ILOAD), returnSlot);
            Type bound = boundType(Bind.RETURN, -1);
            if (bound != null && !bound.equals(returnType) && isReference(returnType)) {
                mv.visitTypeInsn(Opcodes.CHECKCAST, returnType.getSort() == Type.ARRAY ? returnType.getDescriptor()
                    : returnType.getInternalName()); // the advice may have stored a wider type
            }
        }
        mv.visitInsn(returnType.getOpcode(Opcodes.IRETURN));
        if (onThrowable) {
            // registered last: the method's own handlers, listed first, keep catching what they caught
            mv.visitTryCatchBlock(bodyStart, bodyEnd, handler, advice.exit.onThrowable);
        }
    }

    // ---- slot states at the points where frames are written

    /** At method entry: {@code this} and the arguments. */
    private Object[] initialSlots() {
        Object[] slots = new Object[maxLocals];
        if (!isStatic) {
            slots[0] = isConstructor ? Opcodes.UNINITIALIZED_THIS : owner;
        }
        for (int i = 0; i < argumentTypes.length; i++) {
            slots[argumentSlots[i]] = Frames.type(argumentTypes[i]);
        }
        return slots;
    }

    /** After the enter advice: the entry state and the enter advice's result. */
    private Object[] enteredSlots() {
        Object[] slots = initialSlots();
        if (enterSlot >= 0) {
            slots[enterSlot] = Frames.type(advice.enter.returnType);
        }
        return slots;
    }

    /** The reserved slots that hold a value throughout the method's own code, added to {@code slots}. */
    private void reserved(Object[] slots, boolean adviceTypes) {
        if (enterSlot >= 0) {
            slots[enterSlot] = Frames.type(advice.enter.returnType);
        }
        for (int i = 0; i < copySlots.length; i++) {
            if (copySlots[i] >= 0) {
                Type bound = adviceTypes ? boundType(Bind.ARGUMENT, i) : null;
                slots[copySlots[i]] = Frames.type(bound != null ? bound : argumentTypes[i]);
            }
        }
    }

    /**
     * In the exit block: {@code this} when the exit advice uses it (never reassigned by compiled code, and initialized
     * at every return of a constructor), the reserved slots, then the return value and the throwable once assigned;
     * with {@code adviceTypes}, slots bound to exit advice parameters have the parameters' types.
     */
    private Object[] exitSlots(boolean returned, boolean thrown, boolean adviceTypes) {
        Object[] slots = new Object[maxLocals];
        if (advice.exit.binds(Bind.THIS)) {
            slots[0] = owner;
        }
        reserved(slots, adviceTypes);
        if (returned && returnSlot >= 0) {
            Type bound = adviceTypes ? boundType(Bind.RETURN, -1) : null;
            slots[returnSlot] = Frames.type(bound != null && isReference(returnType) ? bound : returnType);
        }
        if (thrown && thrownSlot >= 0) {
            slots[thrownSlot] = THROWABLE;
        }
        return slots;
    }

    /** The type of the exit advice parameter with this binding (and argument index), or null when none has it. */
    private Type boundType(Bind bind, int index) {
        for (Parameter parameter : advice.exit.parameters) {
            if (parameter.bind() == bind && (bind != Bind.ARGUMENT || parameter.index() == index)) {
                return parameter.type();
            }
        }
        return null;
    }

    private void frame(Object[] slots, String stackTop) {
        if (!frames) {
            return;
        }
        Object[] locals = Frames.locals(slots);
        mv.visitFrame(Opcodes.F_NEW, locals.length, locals, stackTop == null ? 0 : 1,
            stackTop == null ? new Object[0] : new Object[] {stackTop});
    }

    private void pushDefault(Type type) {
        switch (type.getSort()) {
            case Type.LONG -> mv.visitInsn(Opcodes.LCONST_0);
            case Type.FLOAT -> mv.visitInsn(Opcodes.FCONST_0);
            case Type.DOUBLE -> mv.visitInsn(Opcodes.DCONST_0);
            case Type.OBJECT, Type.ARRAY -> mv.visitInsn(Opcodes.ACONST_NULL);
            default -> mv.visitInsn(Opcodes.ICONST_0);
        }
    }

    private static boolean isReference(Type type) {
        return type.getSort() == Type.OBJECT || type.getSort() == Type.ARRAY;
    }

    private static int size(Object frameType) {
        return Opcodes.LONG.equals(frameType) || Opcodes.DOUBLE.equals(frameType) ? 2 : 1;
    }

    // ---- copying advice code

    /**
     * Copies an advice method's code here: its returns jump to {@code done} (the enter advice's result stored in
     * {@code resultSlot}, or dropped), and with {@code suppress} a handler around the copy swallows what it throws
     * (leaving the enter advice's result at its default).
     */
    private void inline(InlineAdvice.Method method, boolean enter, Label done, int resultSlot) {
        Object[] baseline = enter ? initialSlots() : exitSlots(true, true, true);
        Label start = new Label();
        Label end = new Label();
        mv.visitLabel(start);
        Copier copier = new Copier(method, enter, done, resultSlot, baseline);
        new ClassReader(advice.classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                return name.equals(method.name) && descriptor.equals(method.descriptor) ? copier : null;
            }
        }, ClassReader.SKIP_DEBUG | (frames ? ClassReader.EXPAND_FRAMES : ClassReader.SKIP_FRAMES));
        if (!copier.copied) {
            throw new IllegalStateException("advice method " + method.name + " not found in " + advice.className());
        }
        mv.visitLabel(end);
        if (method.suppress != null) {
            Label handler = new Label();
            mv.visitLabel(handler);
            frame(baseline, method.suppress);
            mv.visitInsn(Opcodes.POP);
            if (resultSlot >= 0) {
                pushDefault(method.returnType);
                mv.visitVarInsn(method.returnType.getOpcode(Opcodes.ISTORE), resultSlot);
            }
            // after the advice's own handlers, which come first
            mv.visitTryCatchBlock(start, end, handler, method.suppress);
        }
    }

    /** Replays an advice method's code into the woven method, renumbering its slots and rebasing its frames. */
    private final class Copier extends MethodVisitor {
        private final InlineAdvice.Method method;
        private final boolean enter;
        private final Label done;
        private final int resultSlot;
        private final Object[] baseline;
        boolean copied;

        Copier(InlineAdvice.Method method, boolean enter, Label done, int resultSlot, Object[] baseline) {
            super(Opcodes.ASM9, AdvisedMethod.this.mv);
            this.method = method;
            this.enter = enter;
            this.done = done;
            this.resultSlot = resultSlot;
            this.baseline = baseline;
        }

        private int slot(int adviceSlot) {
            if (adviceSlot >= method.parameterSlots) {
                return adviceLocals + adviceSlot - method.parameterSlots;
            }
            Parameter parameter = method.parameterAt(adviceSlot);
            return switch (parameter.bind()) {
                case THIS -> 0;
                case ARGUMENT -> enter ? argumentSlots[parameter.index()] : copySlots[parameter.index()];
                case ENTER -> enterSlot;
                case RETURN -> returnSlot;
                case THROWN -> thrownSlot;
                case METHOD_NAME, ALL_ARGUMENTS, CONSTANT -> throw new IllegalArgumentException("@"
                    + parameter.bind() + " of " + method.name + " is read only");
            };
        }

        @Override
        public void visitVarInsn(int opcode, int var) {
            if (var < method.parameterSlots) {
                Bind bind = method.parameterAt(var).bind();
                if (bind == Bind.METHOD_NAME && opcode == Opcodes.ALOAD) {
                    mv.visitLdcInsn(methodName);
                    return;
                }
                if (bind == Bind.CONSTANT && opcode == Opcodes.ILOAD) {
                    pushInt(constant);
                    return;
                }
                if (bind == Bind.ALL_ARGUMENTS && opcode == Opcodes.ALOAD) {
                    pushArguments();
                    return;
                }
            }
            mv.visitVarInsn(opcode, slot(var));
        }

        /** The arguments as they are on entry, boxed into a new {@code Object[]}: no branch, so no frame. */
        private void pushArguments() {
            pushInt(argumentTypes.length);
            mv.visitTypeInsn(Opcodes.ANEWARRAY, "java/lang/Object");
            for (int i = 0; i < argumentTypes.length; i++) {
                mv.visitInsn(Opcodes.DUP);
                pushInt(i);
                mv.visitVarInsn(argumentTypes[i].getOpcode(Opcodes.ILOAD), argumentSlots[i]);
                box(argumentTypes[i]);
                mv.visitInsn(Opcodes.AASTORE);
            }
        }

        private void box(Type type) {
            String boxed = switch (type.getSort()) {
                case Type.BOOLEAN -> "java/lang/Boolean";
                case Type.BYTE -> "java/lang/Byte";
                case Type.CHAR -> "java/lang/Character";
                case Type.SHORT -> "java/lang/Short";
                case Type.INT -> "java/lang/Integer";
                case Type.FLOAT -> "java/lang/Float";
                case Type.LONG -> "java/lang/Long";
                case Type.DOUBLE -> "java/lang/Double";
                default -> null;
            };
            if (boxed != null) {
                mv.visitMethodInsn(Opcodes.INVOKESTATIC, boxed, "valueOf",
                    "(" + type.getDescriptor() + ")L" + boxed + ";", false);
            }
        }

        private void pushInt(int value) {
            if (value >= -1 && value <= 5) {
                mv.visitInsn(Opcodes.ICONST_0 + value);
            } else if (value >= Byte.MIN_VALUE && value <= Byte.MAX_VALUE) {
                mv.visitIntInsn(Opcodes.BIPUSH, value);
            } else if (value >= Short.MIN_VALUE && value <= Short.MAX_VALUE) {
                mv.visitIntInsn(Opcodes.SIPUSH, value);
            } else {
                mv.visitLdcInsn(value);
            }
        }

        @Override
        public void visitIincInsn(int var, int increment) {
            mv.visitIincInsn(slot(var), increment);
        }

        @Override
        public void visitInsn(int opcode) {
            if (opcode < Opcodes.IRETURN || opcode > Opcodes.RETURN) {
                mv.visitInsn(opcode);
                return;
            }
            if (opcode != Opcodes.RETURN) {
                if (resultSlot >= 0) {
                    mv.visitVarInsn(method.returnType.getOpcode(Opcodes.ISTORE), resultSlot);
                } else {
                    mv.visitInsn(method.returnType.getSize() == 2 ? Opcodes.POP2 : Opcodes.POP);
                }
            }
            mv.visitJumpInsn(Opcodes.GOTO, done);
        }

        @Override
        public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
            if (!frames) {
                return;
            }
            Object[] slots = baseline.clone();
            int adviceSlot = 0;
            for (int i = 0; i < numLocal; i++) {
                if (adviceSlot >= method.parameterSlots) {
                    slots[adviceLocals + adviceSlot - method.parameterSlots] = local[i];
                }
                adviceSlot += size(local[i]);
            }
            Object[] locals = Frames.locals(slots);
            mv.visitFrame(Opcodes.F_NEW, locals.length, locals, numStack, stack);
        }

        @Override
        public void visitCode() {
            copied = true;
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
        }

        @Override
        public void visitEnd() {
        }

        @Override
        public void visitParameter(String name, int access) {
        }

        @Override
        public AnnotationVisitor visitAnnotationDefault() {
            return null;
        }

        @Override
        public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
            return null;
        }

        @Override
        public AnnotationVisitor visitTypeAnnotation(int typeRef, TypePath typePath, String descriptor,
                                                     boolean visible) {
            return null;
        }

        @Override
        public void visitAnnotableParameterCount(int parameterCount, boolean visible) {
        }

        @Override
        public AnnotationVisitor visitParameterAnnotation(int parameter, String descriptor, boolean visible) {
            return null;
        }

        @Override
        public void visitAttribute(Attribute attribute) {
        }

        @Override
        public AnnotationVisitor visitInsnAnnotation(int typeRef, TypePath typePath, String descriptor,
                                                     boolean visible) {
            return null;
        }

        @Override
        public AnnotationVisitor visitTryCatchAnnotation(int typeRef, TypePath typePath, String descriptor,
                                                         boolean visible) {
            return null;
        }

        @Override
        public void visitLocalVariable(String name, String descriptor, String signature, Label start, Label end,
                                       int index) {
        }

        @Override
        public AnnotationVisitor visitLocalVariableAnnotation(int typeRef, TypePath typePath, Label[] start,
                                                              Label[] end, int[] index, String descriptor,
                                                              boolean visible) {
            return null;
        }

        @Override
        public void visitLineNumber(int line, Label start) {
        }
    }

    /** Stack map frame helpers. */
    static final class Frames {
        private Frames() {
        }

        /** The frame type of a value of this type. */
        static Object type(Type type) {
            return switch (type.getSort()) {
                case Type.BOOLEAN, Type.BYTE, Type.CHAR, Type.SHORT, Type.INT -> Opcodes.INTEGER;
                case Type.FLOAT -> Opcodes.FLOAT;
                case Type.LONG -> Opcodes.LONG;
                case Type.DOUBLE -> Opcodes.DOUBLE;
                case Type.ARRAY -> type.getDescriptor();
                default -> type.getInternalName();
            };
        }

        /** Frame locals from slot types (null: nothing there), a long or double counting once; trailing TOPs cut. */
        static Object[] locals(Object[] slots) {
            List<Object> locals = new ArrayList<>(slots.length);
            int lastSet = -1;
            for (int slot = 0; slot < slots.length; ) {
                Object type = slots[slot];
                if (type == null) {
                    locals.add(Opcodes.TOP);
                    slot++;
                } else {
                    locals.add(type);
                    lastSet = locals.size() - 1;
                    slot += size(type);
                }
            }
            return locals.subList(0, lastSet + 1).toArray();
        }
    }
}
