package dev.plume.instrumentation;

import java.util.List;

/**
 * One instrumented library: its name (as in {@code otel.instrumentation.<name>.enabled}), the names it is also known by,
 * and the classes it rewrites ({@link TypeTarget}s). Adding a library is one class implementing this and one line in
 * {@link PlumeInstaller#libraries(dev.plume.bootstrap.config.PlumeConfig)}.
 */
public interface LibraryInstrumentation {
    /** The name in {@code otel.instrumentation.<name>.enabled}, spelled as the OpenTelemetry agent spells it. */
    String name();

    /** Other names the same switch answers to (earlier Plume names). */
    default List<String> aliases() {
        return List.of();
    }

    /** What it rewrites. */
    List<TypeTarget> targets();
}
