package dev.plume.instrumentation.matching;

import java.nio.charset.StandardCharsets;

/**
 * What matching needs from a class file, read in place from its bytes without loading anything: the class's name, its
 * superclass and interfaces (internal names, with '/'), whether it is an interface, and whether its constant pool
 * holds a given string (an annotation descriptor such as {@code Lio/opentelemetry/instrumentation/annotations/WithSpan;}
 * is there when any member carries the annotation). A malformed file yields {@link #MALFORMED}.
 */
public final class ClassFileSummary {
    private static final int MAGIC = 0xCAFEBABE;
    private static final int ACC_INTERFACE = 0x0200;
    private static final int ACC_ABSTRACT = 0x0400;
    private static final String[] NONE = new String[0];
    /** What an unreadable class file summarizes to: nothing to match. */
    public static final ClassFileSummary MALFORMED = new ClassFileSummary(null, null, NONE, false, null, null, null, 0);

    private final String name;
    private final String superName;
    private final String[] interfaces;
    private final boolean isInterface;
    private final byte[] bytes;
    private final int[] utf8Offsets;
    private final int[] poolOffsets;
    /** Where the fields table starts (after the interfaces). */
    private final int fieldsOffset;

    private ClassFileSummary(String name, String superName, String[] interfaces, boolean isInterface, byte[] bytes,
                             int[] utf8Offsets, int[] poolOffsets, int fieldsOffset) {
        this.name = name;
        this.superName = superName;
        this.interfaces = interfaces;
        this.isInterface = isInterface;
        this.bytes = bytes;
        this.utf8Offsets = utf8Offsets;
        this.poolOffsets = poolOffsets;
        this.fieldsOffset = fieldsOffset;
    }

    /** Reads the header of a class file; never throws. The bytes are kept (not copied) for {@link #contains}. */
    public static ClassFileSummary of(byte[] b) {
        try {
            if (b == null || b.length < 10 || u4(b, 0) != MAGIC) {
                return MALFORMED;
            }
            int count = u2(b, 8);
            int[] offsets = new int[count];
            int utf8Count = 0;
            int index = 10;
            for (int i = 1; i < count; i++) {
                offsets[i] = index;
                int tag = b[index] & 0xFF;
                if (tag == 1) {
                    utf8Count++;
                }
                index = next(b, index, tag);
                if (tag == 5 || tag == 6) {
                    i++; // long and double take two entries
                }
            }
            int[] utf8 = new int[utf8Count];
            for (int i = 1, u = 0; i < count && u < utf8Count; i++) {
                if (offsets[i] != 0 && (b[offsets[i]] & 0xFF) == 1) {
                    utf8[u++] = offsets[i];
                }
            }
            int access = u2(b, index);
            String name = className(b, offsets, u2(b, index + 2));
            int superIndex = u2(b, index + 4);
            String superName = superIndex == 0 ? null : className(b, offsets, superIndex);
            int interfaceCount = u2(b, index + 6);
            String[] interfaces = interfaceCount == 0 ? NONE : new String[interfaceCount];
            for (int i = 0; i < interfaceCount; i++) {
                interfaces[i] = className(b, offsets, u2(b, index + 8 + 2 * i));
            }
            return new ClassFileSummary(name, superName, interfaces, (access & ACC_INTERFACE) != 0, b, utf8, offsets,
                index + 8 + 2 * interfaceCount);
        } catch (RuntimeException e) {
            return MALFORMED; // truncated or hostile bytes: the JVM will reject them, matching just says no
        }
    }

    /** The internal name ({@code a/b/C}), or null for a malformed file. */
    public String name() {
        return name;
    }

    /** The superclass's internal name, or null ({@code java/lang/Object} and interfaces name {@code java/lang/Object}). */
    public String superName() {
        return superName;
    }

    public String[] interfaces() {
        return interfaces;
    }

    public boolean isInterface() {
        return isInterface;
    }

    /** Whether the constant pool holds exactly this (ASCII) string, compared byte by byte in place. */
    public boolean contains(String text) {
        if (bytes == null) {
            return false;
        }
        int length = text.length();
        for (int offset : utf8Offsets) {
            if (u2(bytes, offset + 1) != length) {
                continue;
            }
            int start = offset + 3;
            int i = 0;
            while (i < length && bytes[start + i] == (byte) text.charAt(i)) {
                i++;
            }
            if (i == length) {
                return true;
            }
        }
        return false;
    }

    private String lastPrefix;
    private boolean lastPrefixFound;

    /** Whether the constant pool holds a string starting with this (ASCII) prefix, such as {@code java/sql/}. */
    public boolean containsPrefix(String prefix) {
        if (bytes == null) {
            return false;
        }
        if (prefix.equals(lastPrefix)) {
            return lastPrefixFound; // several targets of one library ask for the same prefix
        }
        lastPrefixFound = scanForPrefix(prefix);
        lastPrefix = prefix;
        return lastPrefixFound;
    }

    private boolean scanForPrefix(String prefix) {
        int length = prefix.length();
        for (int offset : utf8Offsets) {
            if (u2(bytes, offset + 1) < length) {
                continue;
            }
            int start = offset + 3;
            int i = 0;
            while (i < length && bytes[start + i] == (byte) prefix.charAt(i)) {
                i++;
            }
            if (i == length) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the class declares a concrete (non-abstract) method {@code name} whose descriptor starts with
     * {@code descriptorPrefix} (such as {@code (Ljakarta/servlet/ServletRequest;}) and has {@code parameters}
     * parameters ({@code -1}: any). Read from the methods table in place; a subtype target's advice can only apply to a
     * class that declares such a method, so the others need no supertype resolution at all.
     */
    public boolean declaresMethod(String name, String descriptorPrefix, int parameters) {
        if (bytes == null) {
            return false;
        }
        try {
            int index = skipMembers(fieldsOffset);
            int count = u2(bytes, index);
            index += 2;
            for (int i = 0; i < count; i++) {
                int access = u2(bytes, index);
                int nameOffset = poolOffsets[u2(bytes, index + 2)];
                int descriptorOffset = poolOffsets[u2(bytes, index + 4)];
                if ((access & ACC_ABSTRACT) == 0 && equalsUtf8(nameOffset, name)
                    && startsWithUtf8(descriptorOffset, descriptorPrefix)
                    && (parameters < 0 || parameterCount(descriptorOffset) == parameters)) {
                    return true;
                }
                index = skipAttributes(index + 6);
            }
            return false;
        } catch (RuntimeException e) {
            return true; // unreadable here: let the precise stages decide
        }
    }

    private int skipMembers(int index) {
        int count = u2(bytes, index);
        index += 2;
        for (int i = 0; i < count; i++) {
            index = skipAttributes(index + 6);
        }
        return index;
    }

    private int skipAttributes(int index) {
        int count = u2(bytes, index);
        index += 2;
        for (int i = 0; i < count; i++) {
            index += 6 + u4(bytes, index + 2);
        }
        return index;
    }

    private boolean equalsUtf8(int offset, String text) {
        return u2(bytes, offset + 1) == text.length() && startsWithUtf8(offset, text);
    }

    private boolean startsWithUtf8(int offset, String prefix) {
        int length = u2(bytes, offset + 1);
        if (length < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (bytes[offset + 3 + i] != (byte) prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private int parameterCount(int descriptorOffset) {
        int end = descriptorOffset + 3 + u2(bytes, descriptorOffset + 1);
        int count = 0;
        for (int i = descriptorOffset + 4; i < end && bytes[i] != ')'; i++) {
            byte c = bytes[i];
            if (c == 'L') {
                while (bytes[i] != ';') {
                    i++;
                }
            } else if (c == '[') {
                continue;
            }
            count++;
        }
        return count;
    }

    private static int next(byte[] b, int index, int tag) {
        return switch (tag) {
            case 1 -> index + 3 + u2(b, index + 1);
            case 3, 4, 9, 10, 11, 12, 17, 18 -> index + 5;
            case 5, 6 -> index + 9;
            case 7, 8, 16, 19, 20 -> index + 3;
            case 15 -> index + 4;
            default -> throw new IllegalArgumentException("bad constant pool tag " + tag);
        };
    }

    private static String className(byte[] b, int[] offsets, int classIndex) {
        int utf8 = offsets[u2(b, offsets[classIndex] + 1)];
        return new String(b, utf8 + 3, u2(b, utf8 + 1), StandardCharsets.UTF_8);
    }

    private static int u2(byte[] b, int index) {
        return ((b[index] & 0xFF) << 8) | (b[index + 1] & 0xFF);
    }

    private static int u4(byte[] b, int index) {
        return (u2(b, index) << 16) | u2(b, index + 2);
    }
}
