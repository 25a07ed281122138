package dev.plume.instrumentation.methods;

import dev.plume.bootstrap.config.ConfigKeys;
import dev.plume.bootstrap.config.PlumeConfig;
import dev.plume.instrumentation.LibraryInstrumentation;
import dev.plume.instrumentation.TypeTarget;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code otel.instrumentation.methods.include=my.pkg.Class[method1,method2];my.pkg.Other[*]}: an INTERNAL span per
 * call of the methods named, named {@code Class.method}, as the OpenTelemetry agent's {@code methods} instrumentation
 * makes them; {@code *} is every method the class declares (not constructors, nothing the compiler made). A named
 * class applies to its subtypes too, so an interface or an abstract class names its implementations' methods. Methods
 * returning a {@code CompletableFuture} or {@code CompletionStage} end their span when the result completes.
 */
public final class MethodsInstrumentation implements LibraryInstrumentation {
    private final PlumeConfig config;

    public MethodsInstrumentation(PlumeConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "methods";
    }

    @Override
    public List<TypeTarget> targets() {
        MethodList include = MethodList.read(config, ConfigKeys.METHODS_INCLUDE);
        List<TypeTarget> targets = new ArrayList<>();
        for (String className : include.classNames()) {
            targets.add(TypeTarget.subtypesOf(className)
                .advice(new MethodListAdvisor(include.methodsOf(className))));
        }
        return targets;
    }
}
