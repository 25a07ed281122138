package dev.plume.bootstrap.trace;

/** The types an attribute value may have in a span record. */
public final class AttributeType {
    public static final byte STRING = 1;
    public static final byte LONG = 2;
    public static final byte DOUBLE = 3;
    public static final byte BOOLEAN = 4;

    private AttributeType() {
    }
}
