package dev.plume.bootstrap.trace;

/** Span kinds, numbered as the OTLP {@code Span.SpanKind} enum so the exporter copies them as they are. */
public final class SpanKind {
    public static final int INTERNAL = 1;
    public static final int SERVER = 2;
    public static final int CLIENT = 3;
    public static final int PRODUCER = 4;
    public static final int CONSUMER = 5;

    private SpanKind() {
    }

    public static String name(int kind) {
        return switch (kind) {
            case INTERNAL -> "INTERNAL";
            case SERVER -> "SERVER";
            case CLIENT -> "CLIENT";
            case PRODUCER -> "PRODUCER";
            case CONSUMER -> "CONSUMER";
            default -> "UNSPECIFIED";
        };
    }
}
