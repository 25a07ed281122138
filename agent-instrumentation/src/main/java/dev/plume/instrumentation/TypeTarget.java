package dev.plume.instrumentation;

import dev.plume.instrumentation.matching.ClassFileSummary;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The classes one part of an instrumentation rewrites, and how. Classes are chosen by exact name, as subtypes (extends
 * or implements, at any depth, the named types themselves included unless they are interfaces), or by carrying an
 * annotation on a method; each is then rewritten by the advice classes given, on the methods their
 * {@link MethodSelector}s select (or a {@link MethodAdvisor} chooses, reading the class), and by call replacements. A target may also give its classes a field for per-object
 * context ({@link #carriesContext()}), added when the class is first loaded. All of it is plain data: declaring a target
 * loads nothing of ByteBuddy, which only real candidates ever reach.
 */
public final class TypeTarget {
    /** How classes are chosen. */
    public enum Kind { NAMED, SUBTYPES, ANNOTATED }

    /** An advice class and the methods it is inlined into; or, with an advisor, advice chosen per method. */
    record AdviceUse(Class<?> adviceClass, MethodSelector methods, MethodAdvisor advisor) {
    }

    /**
     * In method {@code inMethod} of the chosen class (in every method when null), every call to {@code owner#name}
     * taking {@code parameters} arguments is replaced with a call to the static {@code replacement}, which takes the
     * receiver first.
     */
    record CallReplacement(String inMethod, String owner, String name, int parameters, Method replacement) {
    }

    private final Kind kind;
    private final Set<String> internalNames;
    private final List<AdviceUse> advice = new ArrayList<>();
    private final List<CallReplacement> replacements = new ArrayList<>();
    private boolean carriesContext;
    private List<String> opensToRuntime = List.of();
    private String mentioning;
    private LibraryInstrumentation library;

    private TypeTarget(Kind kind, String... binaryNames) {
        this.kind = kind;
        Set<String> names = new LinkedHashSet<>();
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

    /**
     * Inlines {@code adviceClass} into the (non-abstract) methods {@code methods} selects. The advice is read from its
     * class file and its types resolved in the instrumented class's loader: the agent's loader cannot see the library's
     * types (a servlet API), and must not try.
     */
    public TypeTarget advice(Class<?> adviceClass, MethodSelector methods) {
        advice.add(new AdviceUse(adviceClass, methods, null));
        return this;
    }

    /**
     * Inlines into each method the advice {@code advisor} chooses for it after reading the class (an annotation's
     * values, the class's name), with the per-method constant it supplies; one pass for all its advice classes.
     */
    public TypeTarget advice(MethodAdvisor advisor) {
        advice.add(new AdviceUse(null, null, advisor));
        return this;
    }

    /**
     * In {@code inMethod}, calls {@code replacement} (static, the receiver first) in place of every call to the
     * no-argument method {@code name} of {@code ownerBinaryName} (such as a worker loop's {@code Runnable#run}).
     */
    public TypeTarget replaceCalls(String inMethod, String ownerBinaryName, String name, Method replacement) {
        replacements.add(new CallReplacement(inMethod, ownerBinaryName, name, 0, replacement));
        return this;
    }

    /**
     * In every method of the chosen class, calls {@code replacement} (static, the receiver first, then the arguments)
     * in place of every call to {@code name} of {@code ownerBinaryName} taking {@code parameters} arguments.
     */
    public TypeTarget replaceCallsEverywhere(String ownerBinaryName, String name, int parameters, Method replacement) {
        replacements.add(new CallReplacement(null, ownerBinaryName, name, parameters, replacement));
        return this;
    }

    /**
     * Only classes whose constant pool mentions a name starting with {@code internalNamePrefix} ({@code java/sql/}): a
     * test read in place that rules out, before any supertype is resolved, classes that cannot be the target (a
     * library's classes name its types: JDBC drivers' throw {@code SQLException}). Classes of other libraries that
     * mention the prefix but declare no advised method and name no watched type themselves stop here too.
     */
    public TypeTarget mentioning(String internalNamePrefix) {
        mentioning = internalNamePrefix;
        return this;
    }

    /** Gives the chosen classes a field for per-object context when they are first loaded (see ContextCarrier). */
    public TypeTarget carriesContext() {
        carriesContext = true;
        return this;
    }

    /**
     * Opens these packages of the chosen classes' module to the agent's runtime when a class is rewritten, for runtime
     * code that reaches into a JDK class's internals through method handles (the JDK client's request headers).
     */
    public TypeTarget opensToRuntime(String... packageNames) {
        opensToRuntime = List.of(packageNames);
        return this;
    }

    List<String> packagesOpenedToRuntime() {
        return opensToRuntime;
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

    List<AdviceUse> adviceUses() {
        return advice;
    }

    List<CallReplacement> callReplacements() {
        return replacements;
    }

    /**
     * Whether rewriting this class file could change anything: it declares a method the advice or a call replacement
     * selects, or it is to get the context field (a subtype target's: where the class names a watched type itself). Decided in place, so classes that cannot be affected skip the costly
     * stages (supertypes read through the loader, ByteBuddy).
     */
    public boolean mayApplyTo(ClassFileSummary summary) {
        if (mentioning != null && !summary.containsPrefix(mentioning)) {
            return false;
        }
        for (AdviceUse use : advice) {
            if (use.advisor() != null ? use.advisor().mayApplyTo(summary) : use.methods().declaredIn(summary)) {
                return true;
            }
        }
        for (CallReplacement replacement : replacements) {
            if (replacement.inMethod() == null || summary.declaresMethod(replacement.inMethod(), "(", -1)) {
                return true;
            }
        }
        // The field is needed where the hierarchy first meets the watched type; a subclass that declares no advised
        // method inherits it from there.
        return carriesContext && (kind != Kind.SUBTYPES || namesDirectly(summary));
    }

    /** Whether the class's own superclass or interfaces are among the watched types. */
    private boolean namesDirectly(ClassFileSummary summary) {
        if (summary.superName() != null && internalNames.contains(summary.superName())) {
            return true;
        }
        for (String implemented : summary.interfaces()) {
            if (internalNames.contains(implemented)) {
                return true;
            }
        }
        return false;
    }

    /** The advice classes, whose references decide whether the target fits a class loader. */
    public List<Class<?>> adviceClasses() {
        List<Class<?>> classes = new ArrayList<>();
        for (AdviceUse use : advice) {
            for (Class<?> adviceClass : use.advisor() != null ? use.advisor().adviceClasses()
                : List.<Class<?>>of(use.adviceClass())) {
                if (!classes.contains(adviceClass)) {
                    classes.add(adviceClass);
                }
            }
        }
        return classes;
    }

    @Override
    public String toString() {
        return (library != null ? library.name() : "?") + " " + kind.name().toLowerCase(Locale.ROOT) + " "
            + internalNames;
    }
}
