package dev.plume.instrumentation;

import dev.plume.instrumentation.matching.ClassFileSummary;

import java.util.ArrayList;
import java.util.List;

/**
 * Which methods of a chosen class an advice applies to, as plain data: a name (or the constructors), how many
 * parameters, the types of some of them, and a visibility. Targets are declared with these rather than ByteBuddy
 * matchers so that declaring them loads nothing of ByteBuddy; the rewriter turns them into matchers for real
 * candidates only. Abstract methods are never selected.
 */
public final class MethodSelector {
    private static final int ACC_PUBLIC = 0x0001;
    private static final int ACC_PRIVATE = 0x0002;
    private static final int ACC_ABSTRACT = 0x0400;
    /** Visibility a selected method must have. */
    public enum Visibility { ANY, PUBLIC, PRIVATE }

    final String name;
    final int parameterCount;
    final String[] parameterTypes;
    final Visibility visibility;
    final List<MethodSelector> alternatives;
    /** The start of the descriptor the parameter types give, such as {@code (Ljakarta/servlet/ServletRequest;}. */
    private final String descriptorPrefix;

    private MethodSelector(String name, int parameterCount, String[] parameterTypes, Visibility visibility,
                           List<MethodSelector> alternatives) {
        this.name = name;
        this.parameterCount = parameterCount;
        this.parameterTypes = parameterTypes;
        this.visibility = visibility;
        this.alternatives = alternatives;
        StringBuilder prefix = new StringBuilder("(");
        for (String type : parameterTypes) {
            prefix.append('L').append(type.replace('.', '/')).append(';');
        }
        this.descriptorPrefix = prefix.toString();
    }

    /** Methods with this name, any parameters. */
    public static MethodSelector named(String name) {
        return new MethodSelector(name, -1, new String[0], Visibility.ANY, List.of());
    }

    /** The class's constructors. */
    public static MethodSelector constructors() {
        return new MethodSelector(null, -1, new String[0], Visibility.ANY, List.of());
    }

    /** Only with exactly this many parameters. */
    public MethodSelector parameters(int count) {
        return new MethodSelector(name, count, parameterTypes, visibility, alternatives);
    }

    /** Only where the parameters, from the first, have these types (binary names); more may follow. */
    public MethodSelector parameterTypes(String... binaryNames) {
        return new MethodSelector(name, parameterCount, binaryNames.clone(), visibility, alternatives);
    }

    public MethodSelector publicOnly() {
        return new MethodSelector(name, parameterCount, parameterTypes, Visibility.PUBLIC, alternatives);
    }

    public MethodSelector privateOnly() {
        return new MethodSelector(name, parameterCount, parameterTypes, Visibility.PRIVATE, alternatives);
    }

    /** These methods, or those {@code other} selects. */
    public MethodSelector or(MethodSelector other) {
        List<MethodSelector> all = new ArrayList<>(alternatives);
        all.add(other);
        return new MethodSelector(name, parameterCount, parameterTypes, visibility, List.copyOf(all));
    }

    /**
     * Whether the class file declares a concrete method this selects (visibility aside): read in place, before any
     * supertype is resolved, since advice applies only to the methods a class declares.
     */
    boolean declaredIn(ClassFileSummary summary) {
        if (summary.declaresMethod(constructorsOnly() ? "<init>" : name, descriptorPrefix, parameterCount)) {
            return true;
        }
        for (MethodSelector alternative : alternatives) {
            if (alternative.declaredIn(summary)) {
                return true;
            }
        }
        return false;
    }

    /** Whether this selects the method (access flags, name, descriptor) of a class being rewritten. */
    boolean selects(int access, String methodName, String descriptor) {
        if (matchesThis(access, methodName, descriptor)) {
            return true;
        }
        for (MethodSelector alternative : alternatives) {
            if (alternative.selects(access, methodName, descriptor)) {
                return true;
            }
        }
        return false;
    }

    private boolean matchesThis(int access, String methodName, String descriptor) {
        if (constructorsOnly() ? !methodName.equals("<init>") : !methodName.equals(name)) {
            return false;
        }
        if ((access & ACC_ABSTRACT) != 0 || !descriptor.startsWith(descriptorPrefix)) {
            return false;
        }
        if (parameterCount >= 0 && parameterCount(descriptor) != parameterCount) {
            return false;
        }
        return switch (visibility) {
            case ANY -> true;
            case PUBLIC -> (access & ACC_PUBLIC) != 0;
            case PRIVATE -> (access & ACC_PRIVATE) != 0;
        };
    }

    private static int parameterCount(String descriptor) {
        int count = 0;
        for (int i = 1; descriptor.charAt(i) != ')'; i++) {
            char c = descriptor.charAt(i);
            if (c == 'L') {
                i = descriptor.indexOf(';', i);
            } else if (c == '[') {
                continue;
            }
            count++;
        }
        return count;
    }

    /** Whether this selects constructors rather than named methods. */
    boolean constructorsOnly() {
        return name == null;
    }
}
