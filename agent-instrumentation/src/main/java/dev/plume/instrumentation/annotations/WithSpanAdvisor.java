package dev.plume.instrumentation.annotations;

import dev.plume.bootstrap.methods.MethodSpans;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.instrumentation.MethodAdvisor;
import dev.plume.instrumentation.matching.ClassFileSummary;
import dev.plume.instrumentation.methods.MethodList;
import dev.plume.instrumentation.methods.MethodSpanAdvices;

import java.util.List;

/**
 * The {@code @WithSpan} methods of a class that carries the annotation: the annotation's values read from the class
 * file when it is rewritten, each method registered in {@link MethodSpans} as it is woven, its index its constant; a
 * method with {@code @SpanAttribute} parameters gets the advice that reads the arguments, the others do not pay for
 * the array. Methods the exclude list names are left alone.
 */
final class WithSpanAdvisor implements MethodAdvisor {
    private final String withSpan;
    private final String spanAttribute;
    private final MethodList excluded;

    /** For the annotations with these descriptors ({@code Lio/opentelemetry/instrumentation/annotations/WithSpan;}). */
    WithSpanAdvisor(String withSpan, String spanAttribute, MethodList excluded) {
        this.withSpan = withSpan;
        this.spanAttribute = spanAttribute;
        this.excluded = excluded;
    }

    @Override
    public List<Class<?>> adviceClasses() {
        return MethodSpanAdvices.ALL;
    }

    @Override
    public boolean mayApplyTo(ClassFileSummary summary) {
        return true; // the annotation's descriptor in the constant pool chose the class already
    }

    @Override
    public Plan plan(String internalName, byte[] classFile) {
        WithSpanMethods methods = WithSpanMethods.read(classFile, withSpan, spanAttribute);
        return methods.isEmpty() ? null : new AnnotatedMethods(internalName.replace('/', '.'), methods);
    }

    private final class AnnotatedMethods implements Plan {
        private final String className;
        private final WithSpanMethods methods;

        AnnotatedMethods(String className, WithSpanMethods methods) {
            this.className = className;
            this.methods = methods;
        }

        @Override
        public Class<?> adviceFor(int access, String name, String descriptor) {
            WithSpanMethods.Method method = methods.method(name, descriptor);
            if (method == null || !MethodSpanAdvices.isTraceable(access, name) || excluded.contains(className, name)) {
                return null;
            }
            return MethodSpanAdvices.forMethod(descriptor, method.attributeNames() != null);
        }

        @Override
        public int constantFor(int access, String name, String descriptor) {
            WithSpanMethods.Method method = methods.method(name, descriptor);
            return MethodSpans.register(InstrumentationScope.ANNOTATIONS, method.spanName(), method.kind(),
                method.inheritContext(), className, name, method.attributeNames(), method.attributeTypes());
        }
    }
}
