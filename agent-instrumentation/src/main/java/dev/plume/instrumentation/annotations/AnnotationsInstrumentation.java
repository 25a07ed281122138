package dev.plume.instrumentation.annotations;

import dev.plume.bootstrap.config.ConfigKeys;
import dev.plume.bootstrap.config.PlumeConfig;
import dev.plume.instrumentation.LibraryInstrumentation;
import dev.plume.instrumentation.TypeTarget;
import dev.plume.instrumentation.methods.MethodList;

import java.util.List;

/**
 * {@code @WithSpan} and {@code @SpanAttribute}, as the OpenTelemetry agent reads them: from
 * {@code io.opentelemetry.instrumentation.annotations} (value, kind, inheritContext) and from the older
 * {@code io.opentelemetry.extension.annotations} (value, kind). A span per call of each annotated method (not
 * constructors), named by {@code value} or {@code Class.method}; an exception thrown makes it an ERROR with an
 * exception event; a method returning a {@code CompletableFuture} or {@code CompletionStage} ends its span when the
 * result completes. Classes are chosen by the annotation's descriptor in their constant pool, and the annotation's
 * values read from their class file: nothing of the annotations is loaded.
 */
public final class AnnotationsInstrumentation implements LibraryInstrumentation {
    private final PlumeConfig config;

    public AnnotationsInstrumentation(PlumeConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "opentelemetry-instrumentation-annotations";
    }

    @Override
    public List<String> aliases() {
        return List.of("opentelemetry-extension-annotations");
    }

    @Override
    public List<TypeTarget> targets() {
        MethodList excluded = MethodList.read(config, ConfigKeys.ANNOTATIONS_EXCLUDE_METHODS);
        return List.of(TypeTarget.annotatedWith("io.opentelemetry.instrumentation.annotations.WithSpan",
                "io.opentelemetry.extension.annotations.WithSpan")
            .advice(new WithSpanAdvisor(excluded)));
    }
}
