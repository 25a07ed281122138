package dev.plume.smoke.annotations;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.instrumentation.annotations.SpanAttribute;
import io.opentelemetry.instrumentation.annotations.WithSpan;

/** A downstream call, as a CLIENT span. */
public class Inventory {
    @WithSpan(value = "inventory reserve", kind = SpanKind.CLIENT)
    public void reserve(@SpanAttribute("inventory.item") String item, @SpanAttribute int quantity) {
    }

    @WithSpan
    public int count() {
        return 42;
    }
}
