package dev.plume.smoke.annotations;

/** A value whose attribute is its {@code toString}, as the OpenTelemetry agent makes it for other types. */
public record Customer(String name) {
    @Override
    public String toString() {
        return "customer " + name;
    }
}
