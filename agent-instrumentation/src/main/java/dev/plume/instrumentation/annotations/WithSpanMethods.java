package dev.plume.instrumentation.annotations;

import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.instrumentation.methods.MethodSpanNames;
import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

import java.util.HashMap;
import java.util.Map;

/**
 * The {@code @WithSpan} methods of one class, read from its class file with ASM (nothing is loaded): each method's span
 * name ({@code value}, or the class's simple name and the method's), kind, {@code inheritContext}, and the attribute
 * each {@code @SpanAttribute} parameter sets (the annotation's value, or the parameter's name from the MethodParameters
 * attribute, else from the local variable table; neither: no attribute), typed by its declared type. One annotation
 * package is read at a time: {@code io.opentelemetry.instrumentation.annotations} or the older
 * {@code io.opentelemetry.extension.annotations} (which has no {@code inheritContext}), each its own library.
 */
final class WithSpanMethods {
    static final String WITH_SPAN = "Lio/opentelemetry/instrumentation/annotations/WithSpan;";
    static final String SPAN_ATTRIBUTE = "Lio/opentelemetry/instrumentation/annotations/SpanAttribute;";
    static final String EXTENSION_WITH_SPAN = "Lio/opentelemetry/extension/annotations/WithSpan;";
    static final String EXTENSION_SPAN_ATTRIBUTE = "Lio/opentelemetry/extension/annotations/SpanAttribute;";

    /**
     * One annotated method.
     *
     * @param attributeNames per parameter, the attribute it sets or null; null when none sets one
     * @param attributeTypes per parameter, its {@code ArgumentAttribute} code
     */
    record Method(String name, String descriptor, String spanName, int kind, boolean inheritContext,
                  String[] attributeNames, byte[] attributeTypes) {
    }

    private final Map<String, Method> methods;

    private WithSpanMethods(Map<String, Method> methods) {
        this.methods = methods;
    }

    /**
     * Reads the class file for one package's annotations ({@link #WITH_SPAN} and {@link #SPAN_ATTRIBUTE}, or the
     * extension's); no method annotated gives an empty result.
     */
    static WithSpanMethods read(byte[] classFile, String withSpan, String spanAttribute) {
        String simpleName = MethodSpanNames.simpleName(classFile);
        Map<String, Method> found = new HashMap<>();
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                return new MethodReader(access, name, descriptor, signature, simpleName, withSpan, spanAttribute,
                    found);
            }
        }, ClassReader.SKIP_FRAMES);
        return new WithSpanMethods(found);
    }

    boolean isEmpty() {
        return methods.isEmpty();
    }

    /** The annotated method with this name and descriptor, or null. */
    Method method(String name, String descriptor) {
        return methods.get(name + descriptor);
    }

    private static int kind(String name) {
        return switch (name) {
            case "SERVER" -> SpanKind.SERVER;
            case "CLIENT" -> SpanKind.CLIENT;
            case "PRODUCER" -> SpanKind.PRODUCER;
            case "CONSUMER" -> SpanKind.CONSUMER;
            default -> SpanKind.INTERNAL;
        };
    }

    /** Collects one method's annotations, parameter names and local variable table. */
    private static final class MethodReader extends MethodVisitor {
        private final int access;
        private final String name;
        private final String descriptor;
        private final String signature;
        private final String simpleName;
        private final String withSpan;
        private final String spanAttribute;
        private final Map<String, Method> found;
        private final Type[] parameters;
        private boolean annotated;
        private String spanName = "";
        private String kind = "INTERNAL";
        private boolean inheritContext = true;
        /** Per parameter: the {@code @SpanAttribute} value ("" for none given), or null when not annotated. */
        private final String[] attributeValues;
        private final String[] declaredNames;
        private int declaredCount;
        private final String[] localNames;
        /** Parameters the visible parameter annotations count (javac may leave out synthetic ones, first). */
        private int annotableCount = -1;

        MethodReader(int access, String name, String descriptor, String signature, String simpleName,
                     String withSpan, String spanAttribute, Map<String, Method> found) {
            super(Opcodes.ASM9);
            this.access = access;
            this.name = name;
            this.descriptor = descriptor;
            this.signature = signature;
            this.simpleName = simpleName;
            this.withSpan = withSpan;
            this.spanAttribute = spanAttribute;
            this.found = found;
            this.parameters = Type.getArgumentTypes(descriptor);
            this.attributeValues = new String[parameters.length];
            this.declaredNames = new String[parameters.length];
            this.localNames = new String[parameters.length];
        }

        @Override
        public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
            if (!annotation.equals(withSpan)) {
                return null;
            }
            annotated = true;
            return new AnnotationVisitor(Opcodes.ASM9) {
                @Override
                public void visit(String attribute, Object value) {
                    if (attribute.equals("value") && value instanceof String text) {
                        spanName = text;
                    } else if (attribute.equals("inheritContext") && value instanceof Boolean inherit) {
                        inheritContext = inherit;
                    }
                }

                @Override
                public void visitEnum(String attribute, String enumDescriptor, String value) {
                    if (attribute.equals("kind")) {
                        kind = value;
                    }
                }
            };
        }

        @Override
        public void visitAnnotableParameterCount(int parameterCount, boolean visible) {
            if (visible) {
                annotableCount = parameterCount;
            }
        }

        @Override
        public AnnotationVisitor visitParameterAnnotation(int parameter, String annotation, boolean visible) {
            if (!annotation.equals(spanAttribute)) {
                return null;
            }
            // with fewer annotable parameters than the descriptor has, the uncounted ones come first
            int index = parameter + (annotableCount >= 0 && visible ? parameters.length - annotableCount : 0);
            if (index < 0 || index >= parameters.length) {
                return null;
            }
            attributeValues[index] = "";
            return new AnnotationVisitor(Opcodes.ASM9) {
                @Override
                public void visit(String attribute, Object value) {
                    if (attribute.equals("value") && value instanceof String text) {
                        attributeValues[index] = text;
                    }
                }
            };
        }

        @Override
        public void visitParameter(String parameterName, int parameterAccess) {
            if (declaredCount < declaredNames.length) {
                declaredNames[declaredCount] = parameterName;
            }
            declaredCount++;
        }

        @Override
        public void visitLocalVariable(String variable, String variableDescriptor, String variableSignature,
                                       Label start, Label end, int index) {
            if (!annotated) {
                return;
            }
            // compilers keep a parameter in its slot for the whole method; the type check guards against one that
            // lets a later local reuse it
            int slot = (access & Opcodes.ACC_STATIC) != 0 ? 0 : 1;
            for (int i = 0; i < parameters.length; i++) {
                if (slot == index && localNames[i] == null
                    && parameters[i].getDescriptor().equals(variableDescriptor)) {
                    localNames[i] = variable;
                }
                slot += parameters[i].getSize();
            }
        }

        @Override
        public void visitEnd() {
            if (!annotated) {
                return;
            }
            String[] names = null;
            for (int i = 0; i < parameters.length; i++) {
                String value = attributeValues[i];
                if (value == null) {
                    continue;
                }
                String attribute = !value.isEmpty() ? value
                    : declaredCount == parameters.length && declaredNames[i] != null ? declaredNames[i]
                    : localNames[i];
                if (attribute != null) {
                    names = names != null ? names : new String[parameters.length];
                    names[i] = attribute;
                }
            }
            String span = spanName.isEmpty() ? simpleName + "." + name : spanName;
            found.put(name + descriptor, new Method(name, descriptor, span, kind(kind), inheritContext, names,
                names == null ? null : ParameterTypes.codes(descriptor, signature)));
        }
    }
}
