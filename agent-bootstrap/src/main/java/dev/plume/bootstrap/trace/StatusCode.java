package dev.plume.bootstrap.trace;

/** Span status codes, numbered as the OTLP {@code Status.StatusCode} enum. */
public final class StatusCode {
    public static final int UNSET = 0;
    public static final int OK = 1;
    public static final int ERROR = 2;

    private StatusCode() {
    }
}
