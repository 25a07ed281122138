package dev.plume.bootstrap.trace;

/** The types an attribute value may have in a span record. */
public final class AttributeType {
    public static final byte STRING = 1;
    public static final byte LONG = 2;
    public static final byte DOUBLE = 3;
    public static final byte BOOLEAN = 4;
    /** A {@code String[]}; a null element is written as an empty string, so the elements keep their positions. */
    public static final byte STRING_ARRAY = 5;
    public static final byte LONG_ARRAY = 6;
    public static final byte DOUBLE_ARRAY = 7;
    public static final byte BOOLEAN_ARRAY = 8;

    private AttributeType() {
    }

    /** Whether values of this type are arrays (held in {@link AttributeList#array}). */
    public static boolean isArray(byte type) {
        return type >= STRING_ARRAY && type <= BOOLEAN_ARRAY;
    }
}
