package dev.plume.bootstrap.methods;

import dev.plume.bootstrap.trace.SpanSlot;

import java.util.List;

/**
 * How a method argument becomes a span attribute, as the OpenTelemetry agent does it for {@code @SpanAttribute}: by
 * the parameter's declared type, decided when the method is woven (a code below), not by the value's class. Strings,
 * {@code long}/{@code int} (and their boxes) as integers, {@code double}/{@code float} as doubles, booleans, arrays and
 * {@code List}s of those as arrays; any other type as {@code String.valueOf}, any other array or list as an array of
 * the elements' strings. A null argument sets nothing.
 */
public final class ArgumentAttribute {
    /** The parameter makes no attribute ({@code byte[]}, {@code short[]}, {@code char[]}: not attribute values). */
    public static final byte NONE = 0;
    public static final byte STRING = 1;
    /** {@code long} or {@link Long}. */
    public static final byte LONG = 2;
    /** {@code int} or {@link Integer}. */
    public static final byte INT = 3;
    /** {@code double} or {@link Double}. */
    public static final byte DOUBLE = 4;
    /** {@code float} or {@link Float}. */
    public static final byte FLOAT = 5;
    /** {@code boolean} or {@link Boolean}. */
    public static final byte BOOLEAN = 6;
    /** Any other type: {@code String.valueOf}. */
    public static final byte TO_STRING = 7;
    public static final byte STRING_ARRAY = 8;
    public static final byte LONG_ARRAY = 9;
    public static final byte INT_ARRAY = 10;
    public static final byte DOUBLE_ARRAY = 11;
    public static final byte FLOAT_ARRAY = 12;
    public static final byte BOOLEAN_ARRAY = 13;
    /** {@code Long[]} or {@code Integer[]}: integers, a null element as 0. */
    public static final byte BOXED_INTEGER_ARRAY = 14;
    /** {@code Double[]} or {@code Float[]}: doubles, a null element as 0. */
    public static final byte BOXED_DECIMAL_ARRAY = 15;
    /** {@code Boolean[]}: a null element as false. */
    public static final byte BOXED_BOOLEAN_ARRAY = 16;
    /** Any other array of references: the elements' strings. */
    public static final byte OBJECT_ARRAY = 17;
    public static final byte STRING_LIST = 18;
    /** A {@code List<Long>} or {@code List<Integer>}. */
    public static final byte INTEGER_LIST = 19;
    /** A {@code List<Double>} or {@code List<Float>}. */
    public static final byte DECIMAL_LIST = 20;
    public static final byte BOOLEAN_LIST = 21;
    /** A list of anything else: the elements' strings. */
    public static final byte OBJECT_LIST = 22;

    private ArgumentAttribute() {
    }

    /**
     * Sets {@code value}, of a parameter whose type has code {@code type}, as attribute {@code key}. Arrays the
     * application passed are copied: it may change them before an asynchronous span ends.
     */
    public static void set(SpanSlot span, String key, byte type, Object value) {
        if (value == null) {
            return;
        }
        switch (type) {
            case STRING -> span.setAttribute(key, (String) value);
            case LONG, INT -> span.setAttribute(key, ((Number) value).longValue());
            case DOUBLE, FLOAT -> span.setAttribute(key, ((Number) value).doubleValue());
            case BOOLEAN -> span.setAttribute(key, ((Boolean) value).booleanValue());
            case TO_STRING -> span.setAttribute(key, String.valueOf(value));
            case STRING_ARRAY -> span.setAttribute(key, ((String[]) value).clone());
            case LONG_ARRAY -> span.setAttribute(key, ((long[]) value).clone());
            case DOUBLE_ARRAY -> span.setAttribute(key, ((double[]) value).clone());
            case BOOLEAN_ARRAY -> span.setAttribute(key, ((boolean[]) value).clone());
            case INT_ARRAY -> span.setAttribute(key, longs((int[]) value));
            case FLOAT_ARRAY -> span.setAttribute(key, doubles((float[]) value));
            case BOXED_INTEGER_ARRAY -> span.setAttribute(key, longs((Object[]) value));
            case BOXED_DECIMAL_ARRAY -> span.setAttribute(key, doubles((Object[]) value));
            case BOXED_BOOLEAN_ARRAY -> span.setAttribute(key, booleans((Object[]) value));
            case OBJECT_ARRAY -> span.setAttribute(key, strings((Object[]) value));
            case STRING_LIST, OBJECT_LIST -> span.setAttribute(key, strings(((List<?>) value).toArray()));
            case INTEGER_LIST -> span.setAttribute(key, longs(((List<?>) value).toArray()));
            case DECIMAL_LIST -> span.setAttribute(key, doubles(((List<?>) value).toArray()));
            case BOOLEAN_LIST -> span.setAttribute(key, booleans(((List<?>) value).toArray()));
            default -> {
            }
        }
    }

    private static long[] longs(int[] values) {
        long[] longs = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            longs[i] = values[i];
        }
        return longs;
    }

    private static double[] doubles(float[] values) {
        double[] doubles = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            doubles[i] = values[i];
        }
        return doubles;
    }

    private static long[] longs(Object[] values) {
        long[] longs = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            longs[i] = values[i] instanceof Number number ? number.longValue() : 0;
        }
        return longs;
    }

    private static double[] doubles(Object[] values) {
        double[] doubles = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            doubles[i] = values[i] instanceof Number number ? number.doubleValue() : 0;
        }
        return doubles;
    }

    private static boolean[] booleans(Object[] values) {
        boolean[] booleans = new boolean[values.length];
        for (int i = 0; i < values.length; i++) {
            booleans[i] = Boolean.TRUE.equals(values[i]);
        }
        return booleans;
    }

    /** The elements' strings; a null element stays null (recorded as an empty string, keeping the positions). */
    private static String[] strings(Object[] values) {
        String[] strings = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            strings[i] = values[i] == null ? null : String.valueOf(values[i]);
        }
        return strings;
    }
}
