package dev.plume.instrumentation;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.not;

/**
 * The classes one part of an instrumentation rewrites, and how. Classes are chosen by exact name, as subtypes (extends
 * or implements, at any depth, the named types themselves included unless they are interfaces), or by carrying an
 * annotation on a method; each is then rewritten by the advice classes given, on the methods their matchers select.
 * A target may also give its classes a field for per-object context ({@link #carriesContext()}), added when the class
 * is first loaded.
 */
public final class TypeTarget {
    /** How classes are chosen. */
    public enum Kind { NAMED, SUBTYPES, ANNOTATED }

    private final Kind kind;
    private final Set<String> internalNames;
    private final List<VisitorFactory> visitors = new ArrayList<>();
    private final List<Class<?>> adviceClasses = new ArrayList<>();
    private boolean carriesContext;
    private LibraryInstrumentation library;

    private TypeTarget(Kind kind, String... binaryNames) {
        this.kind = kind;
        Set<String> names = new java.util.LinkedHashSet<>();
        for (String name : binaryNames) {
            names.add(name.replace('.', '/'));
        }
        this.internalNames = Set.copyOf(names);
    }

    /** The classes with exactly these binary names ({@code a.b.C$D}). */
    public static TypeTarget named(String... binaryNames) {
        return new TypeTarget(Kind.NAMED, binaryNames);
    }

    /** Every class that extends or implements one of these types, at any depth, whether or not they are loaded yet. */
    public static TypeTarget subtypesOf(String... binaryNames) {
        return new TypeTarget(Kind.SUBTYPES, binaryNames);
    }

    /** Every class with a method annotated with one of these annotations. */
    public static TypeTarget annotatedWith(String... annotationBinaryNames) {
        return new TypeTarget(Kind.ANNOTATED, annotationBinaryNames);
    }

    /** Makes one visitor for one chosen class; advice is described through {@code advicePool}, never loaded. */
    @FunctionalInterface
    public interface VisitorFactory {
        AsmVisitorWrapper make(TypeDescription type, TypePool advicePool, ClassFileLocator adviceLocator);
    }

    /**
     * Applies {@code adviceClass} to the (non-abstract) methods {@code methods} selects. The advice is read from its
     * class file and its types resolved in the instrumented class's loader: the agent's loader cannot see the
     * library's types (a servlet API), and must not try.
     */
    public TypeTarget advice(Class<?> adviceClass, ElementMatcher<? super MethodDescription> methods) {
        adviceClasses.add(adviceClass);
        ElementMatcher.Junction<MethodDescription> concrete = not(isAbstract());
        String name = adviceClass.getName();
        visitors.add((type, pool, locator) -> Advice.to(pool.describe(name).resolve(), locator)
            .on(concrete.and(methods)));
        return this;
    }

    /**
     * Applies any other visitor (such as a member substitution); {@code referencing} are the classes whose
     * references to the library must resolve for it to fit.
     */
    public TypeTarget visitor(Function<TypeDescription, AsmVisitorWrapper> visitor, Class<?>... referencing) {
        visitors.add((type, pool, locator) -> visitor.apply(type));
        adviceClasses.addAll(List.of(referencing));
        return this;
    }

    /** Gives the chosen classes a field for per-object context when they are first loaded (see ContextCarrier). */
    public TypeTarget carriesContext() {
        carriesContext = true;
        return this;
    }

    void library(LibraryInstrumentation owner) {
        this.library = owner;
    }

    public LibraryInstrumentation library() {
        return library;
    }

    public Kind kind() {
        return kind;
    }

    /** Internal names ({@code a/b/C}): the classes, the supertypes, or the annotation types. */
    public Set<String> internalNames() {
        return internalNames;
    }

    public boolean carriesContextField() {
        return carriesContext;
    }

    /** The advice (and other) classes whose references decide whether the target fits a class loader. */
    public List<Class<?>> adviceClasses() {
        return adviceClasses;
    }

    /** The visitors for one chosen class, in the order they were declared. */
    public List<AsmVisitorWrapper> visitors(TypeDescription type, TypePool advicePool, ClassFileLocator adviceLocator) {
        List<AsmVisitorWrapper> wrappers = new ArrayList<>(visitors.size());
        for (VisitorFactory visitor : visitors) {
            wrappers.add(visitor.make(type, advicePool, adviceLocator));
        }
        return wrappers;
    }

    @Override
    public String toString() {
        return (library != null ? library.name() : "?") + " " + kind.name().toLowerCase(java.util.Locale.ROOT) + " "
            + internalNames;
    }
}
