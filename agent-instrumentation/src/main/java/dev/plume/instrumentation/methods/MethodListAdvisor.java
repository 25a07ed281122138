package dev.plume.instrumentation.methods;

import dev.plume.bootstrap.methods.MethodSpans;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.instrumentation.MethodAdvisor;
import dev.plume.instrumentation.matching.ClassFileSummary;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The methods one {@code otel.instrumentation.methods.include} entry names, in a class that is the named type or one
 * of its subtypes (an interface's or abstract class's implementations, as the OpenTelemetry agent matches them): an
 * INTERNAL span each, named after the class being woven ({@code Implementation.method}).
 */
final class MethodListAdvisor implements MethodAdvisor {
    private final Set<String> methodNames;
    private final boolean all;

    MethodListAdvisor(Set<String> methodNames) {
        this.methodNames = Set.copyOf(methodNames);
        this.all = methodNames.contains(MethodList.ALL);
    }

    @Override
    public List<Class<?>> adviceClasses() {
        return MethodSpanAdvices.WITHOUT_ARGUMENTS;
    }

    @Override
    public boolean mayApplyTo(ClassFileSummary summary) {
        if (all) {
            return true;
        }
        for (String name : methodNames) {
            if (summary.declaresMethod(name, "(", -1)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Plan plan(String internalName, byte[] classFile) {
        return new ListedMethods(internalName.replace('/', '.'), MethodSpanNames.simpleName(classFile));
    }

    private final class ListedMethods implements Plan {
        private final String className;
        private final String simpleName;
        /** One registry entry per method name: overloads share their span name. */
        private final Map<String, Integer> registered = new HashMap<>();

        ListedMethods(String className, String simpleName) {
            this.className = className;
            this.simpleName = simpleName;
        }

        @Override
        public Class<?> adviceFor(int access, String name, String descriptor) {
            if (!MethodSpanAdvices.isTraceable(access, name) || !(all || methodNames.contains(name))) {
                return null;
            }
            return MethodSpanAdvices.forMethod(descriptor, false);
        }

        @Override
        public int constantFor(int access, String name, String descriptor) {
            Integer index = registered.get(name);
            if (index == null) {
                index = MethodSpans.register(InstrumentationScope.METHODS, simpleName + "." + name,
                    SpanKind.INTERNAL, true, className, name, null, null);
                registered.put(name, index);
            }
            return index;
        }
    }
}
