package dev.plume.instrumentation;

import dev.plume.instrumentation.matching.ClassFileSummary;

import java.util.List;

/**
 * Chooses the methods of a class to advise by what its own class file says (an annotation and its values, the class's
 * name, a method's return type) rather than by a name known in advance, and gives each woven method the constant its
 * advice's {@code @MethodConstant} parameters read (the method's entry in a bootstrap registry). Where a
 * {@link MethodSelector} is plain data, an advisor reads the class being rewritten once, and picks among several advice
 * classes per method, all woven in one pass.
 *
 * <p>{@link #adviceClasses} and {@link #mayApplyTo} run during matching and must not touch ASM; {@link #plan} runs in
 * the rewriter only, for real candidates.
 */
public interface MethodAdvisor {
    /** Every advice class {@link Plan#adviceFor} may name: their references decide whether the target fits a loader. */
    List<Class<?>> adviceClasses();

    /**
     * Whether the class file could declare a method this advises, read in place: classes that cannot skip the costly
     * stages (for a subtype target: the supertypes read through the loader).
     */
    boolean mayApplyTo(ClassFileSummary summary);

    /** Reads the class being rewritten; null when none of its methods is advised. */
    Plan plan(String internalName, byte[] classFile);

    /** One class's methods and their advice. */
    interface Plan {
        /** The advice class for this method (one of {@link #adviceClasses()}), or null to leave it alone. */
        Class<?> adviceFor(int access, String name, String descriptor);

        /** The constant of a method {@link #adviceFor} chose, asked once, when it is woven. */
        int constantFor(int access, String name, String descriptor);
    }
}
