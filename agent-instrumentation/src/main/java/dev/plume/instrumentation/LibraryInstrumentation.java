package dev.plume.instrumentation;

import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;

import java.util.Set;

/** One instrumented library: the classes it rewrites, by exact name, and the advice it applies to them. */
public interface LibraryInstrumentation {
    /** The name in {@code otel.instrumentation.<name>.enabled}. */
    String name();

    /**
     * The binary names of the classes to instrument. The transformer compares every loading class's name with these
     * before anything else, so a class the agent does not care about costs one hash lookup.
     */
    Set<String> typeNames();

    /** The advice for one of {@link #typeNames()}; runs once per matching class. */
    AsmVisitorWrapper advice(TypeDescription type);
}
