package dev.plume.instrumentation.annotations;

import dev.plume.bootstrap.config.ConfigKey;
import dev.plume.bootstrap.config.ConfigKeys;
import dev.plume.bootstrap.config.PlumeConfig;
import dev.plume.instrumentation.LibraryInstrumentation;
import dev.plume.instrumentation.TypeTarget;
import dev.plume.instrumentation.methods.MethodList;

import java.util.List;

/**
 * {@code @WithSpan} and {@code @SpanAttribute}, as the OpenTelemetry agent reads them, each package its own library
 * with its own switch and exclude list, as there: {@code io.opentelemetry.instrumentation.annotations} (value, kind,
 * inheritContext) and the older {@code io.opentelemetry.extension.annotations} (value, kind). A span per call of each
 * annotated method (not constructors), named by {@code value} or {@code Class.method}, with {@code code.namespace} and
 * {@code code.function}; an exception thrown makes it an ERROR with an exception event; a method returning a
 * {@code CompletableFuture} or {@code CompletionStage} ends its span when the result completes. Classes are chosen by
 * the annotation's descriptor in their constant pool, and the annotation's values read from their class file: nothing
 * of the annotations is loaded.
 */
public final class AnnotationsInstrumentation implements LibraryInstrumentation {
    private final String name;
    private final String annotationPackage;
    private final ConfigKey excludeMethods;
    private final PlumeConfig config;

    private AnnotationsInstrumentation(String name, String annotationPackage, ConfigKey excludeMethods,
                                       PlumeConfig config) {
        this.name = name;
        this.annotationPackage = annotationPackage;
        this.excludeMethods = excludeMethods;
        this.config = config;
    }

    /**
     * {@code io.opentelemetry.instrumentation.annotations}, switch {@code opentelemetry-instrumentation-annotations}.
     */
    public static AnnotationsInstrumentation instrumentationAnnotations(PlumeConfig config) {
        return new AnnotationsInstrumentation("opentelemetry-instrumentation-annotations",
            "io/opentelemetry/instrumentation/annotations/", ConfigKeys.ANNOTATIONS_EXCLUDE_METHODS, config);
    }

    /** {@code io.opentelemetry.extension.annotations}, switch {@code opentelemetry-extension-annotations}. */
    public static AnnotationsInstrumentation extensionAnnotations(PlumeConfig config) {
        return new AnnotationsInstrumentation("opentelemetry-extension-annotations",
            "io/opentelemetry/extension/annotations/", ConfigKeys.EXTENSION_ANNOTATIONS_EXCLUDE_METHODS, config);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<TypeTarget> targets() {
        MethodList excluded = MethodList.read(config, excludeMethods);
        return List.of(TypeTarget.annotatedWith(annotationPackage.replace('/', '.') + "WithSpan")
            .advice(new WithSpanAdvisor("L" + annotationPackage + "WithSpan;", "L" + annotationPackage
                + "SpanAttribute;", excluded)));
    }
}
