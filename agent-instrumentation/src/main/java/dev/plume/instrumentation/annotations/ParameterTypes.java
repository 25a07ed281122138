package dev.plume.instrumentation.annotations;

import dev.plume.bootstrap.methods.ArgumentAttribute;
import net.bytebuddy.jar.asm.Type;

/**
 * The {@link ArgumentAttribute} code of each parameter of a method, from its descriptor and, for lists, the element
 * type its generic signature gives ({@code List<String>}): what the OpenTelemetry agent reads from the parameter's
 * reflected type, read here from the class file.
 */
final class ParameterTypes {
    private ParameterTypes() {
    }

    /** One code per parameter of {@code descriptor}; {@code signature} (may be null) gives lists' element types. */
    static byte[] codes(String descriptor, String signature) {
        Type[] parameters = Type.getArgumentTypes(descriptor);
        String[] elements = signature == null ? null : listElements(signature, parameters.length);
        byte[] codes = new byte[parameters.length];
        for (int i = 0; i < parameters.length; i++) {
            codes[i] = code(parameters[i], elements == null ? null : elements[i]);
        }
        return codes;
    }

    static byte code(Type type, String listElement) {
        return switch (type.getSort()) {
            case Type.LONG -> ArgumentAttribute.LONG;
            case Type.INT -> ArgumentAttribute.INT;
            case Type.DOUBLE -> ArgumentAttribute.DOUBLE;
            case Type.FLOAT -> ArgumentAttribute.FLOAT;
            case Type.BOOLEAN -> ArgumentAttribute.BOOLEAN;
            case Type.ARRAY -> arrayCode(type);
            case Type.OBJECT -> objectCode(type.getInternalName(), listElement);
            default -> ArgumentAttribute.TO_STRING; // byte, short, char: their string, as the agent does
        };
    }

    private static byte objectCode(String internalName, String listElement) {
        return switch (internalName) {
            case "java/lang/String" -> ArgumentAttribute.STRING;
            case "java/lang/Long" -> ArgumentAttribute.LONG;
            case "java/lang/Integer" -> ArgumentAttribute.INT;
            case "java/lang/Double" -> ArgumentAttribute.DOUBLE;
            case "java/lang/Float" -> ArgumentAttribute.FLOAT;
            case "java/lang/Boolean" -> ArgumentAttribute.BOOLEAN;
            case "java/util/List", "java/util/ArrayList", "java/util/LinkedList" -> listCode(listElement);
            default -> ArgumentAttribute.TO_STRING;
        };
    }

    private static byte listCode(String element) {
        if (element == null) {
            return ArgumentAttribute.OBJECT_LIST;
        }
        return switch (element) {
            case "java/lang/String" -> ArgumentAttribute.STRING_LIST;
            case "java/lang/Long", "java/lang/Integer" -> ArgumentAttribute.INTEGER_LIST;
            case "java/lang/Double", "java/lang/Float" -> ArgumentAttribute.DECIMAL_LIST;
            case "java/lang/Boolean" -> ArgumentAttribute.BOOLEAN_LIST;
            default -> ArgumentAttribute.OBJECT_LIST;
        };
    }

    private static byte arrayCode(Type type) {
        if (type.getDimensions() > 1) {
            return ArgumentAttribute.OBJECT_ARRAY;
        }
        Type element = type.getElementType();
        return switch (element.getSort()) {
            case Type.LONG -> ArgumentAttribute.LONG_ARRAY;
            case Type.INT -> ArgumentAttribute.INT_ARRAY;
            case Type.DOUBLE -> ArgumentAttribute.DOUBLE_ARRAY;
            case Type.FLOAT -> ArgumentAttribute.FLOAT_ARRAY;
            case Type.BOOLEAN -> ArgumentAttribute.BOOLEAN_ARRAY;
            case Type.OBJECT -> switch (element.getInternalName()) {
                case "java/lang/String" -> ArgumentAttribute.STRING_ARRAY;
                case "java/lang/Long", "java/lang/Integer" -> ArgumentAttribute.BOXED_INTEGER_ARRAY;
                case "java/lang/Double", "java/lang/Float" -> ArgumentAttribute.BOXED_DECIMAL_ARRAY;
                case "java/lang/Boolean" -> ArgumentAttribute.BOXED_BOOLEAN_ARRAY;
                default -> ArgumentAttribute.OBJECT_ARRAY;
            };
            default -> ArgumentAttribute.NONE; // byte[], short[], char[]: no attribute (the agent fails on them)
        };
    }

    /**
     * Per parameter of a method's generic signature, the internal name of its first type argument when that is a
     * plain class ({@code List<String>}: {@code java/lang/String}); null for wildcards, type variables and the rest.
     * Null when the signature cannot be read or does not have {@code count} parameters.
     */
    static String[] listElements(String signature, int count) {
        try {
            SignatureCursor cursor = new SignatureCursor(signature);
            cursor.skipTypeParameters();
            cursor.expect('(');
            String[] elements = new String[count];
            int i = 0;
            while (cursor.peek() != ')') {
                String element = cursor.parameter();
                if (i < count) {
                    elements[i] = element;
                }
                i++;
            }
            return i == count ? elements : null;
        } catch (RuntimeException e) {
            return null; // a signature javac would not write: no element types
        }
    }

    /** Reads a generic signature (JVMS 4.7.9.1) left to right. */
    private static final class SignatureCursor {
        private final String text;
        private int at;

        SignatureCursor(String text) {
            this.text = text;
        }

        char peek() {
            return text.charAt(at);
        }

        void expect(char c) {
            if (text.charAt(at++) != c) {
                throw new IllegalArgumentException("expected " + c + " at " + (at - 1) + " in " + text);
            }
        }

        void skipTypeParameters() {
            if (peek() != '<') {
                return;
            }
            int depth = 0;
            do {
                char c = text.charAt(at++);
                if (c == '<') {
                    depth++;
                } else if (c == '>') {
                    depth--;
                }
            } while (depth > 0);
        }

        /** Reads one parameter's type; returns its first type argument's class, if it is a plain class. */
        String parameter() {
            if (peek() != 'L') {
                type();
                return null;
            }
            at++;
            String firstArgument = null;
            boolean first = true;
            while (true) {
                char c = text.charAt(at++);
                if (c == ';') {
                    return firstArgument;
                }
                if (c == '<') {
                    while (peek() != '>') {
                        String argument = typeArgument();
                        if (first) {
                            firstArgument = argument;
                            first = false;
                        }
                    }
                    at++;
                }
            }
        }

        /** One type argument; returns its class when it is a plain class type (no wildcard). */
        private String typeArgument() {
            char c = peek();
            if (c == '*') {
                at++;
                return null;
            }
            if (c == '+' || c == '-') {
                at++;
                type();
                return null;
            }
            return type();
        }

        /** One reference or base type; returns the class's internal name for a class type, else null. */
        private String type() {
            char c = text.charAt(at++);
            switch (c) {
                case 'B', 'C', 'D', 'F', 'I', 'J', 'S', 'Z', 'V' -> {
                    return null;
                }
                case '[' -> {
                    type();
                    return null;
                }
                case 'T' -> {
                    at = text.indexOf(';', at) + 1;
                    return null;
                }
                case 'L' -> {
                    int start = at;
                    int end = -1;
                    while (true) {
                        char d = text.charAt(at++);
                        if (d == '<') {
                            end = end < 0 ? at - 1 : end;
                            while (peek() != '>') {
                                typeArgument();
                            }
                            at++;
                        } else if (d == '.') {
                            end = end < 0 ? at - 1 : end; // an inner class of a generic outer: the outer names it
                        } else if (d == ';') {
                            return text.substring(start, end < 0 ? at - 1 : end);
                        }
                    }
                }
                default -> throw new IllegalArgumentException("unexpected " + c + " in " + text);
            }
        }
    }
}
