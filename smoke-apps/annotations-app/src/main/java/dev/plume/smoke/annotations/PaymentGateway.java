package dev.plume.smoke.annotations;

/** Named in {@code otel.instrumentation.methods.include} ({@code PaymentGateway[charge]}): its implementations get spans. */
public interface PaymentGateway {
    String charge(String card, long cents);
}
