package dev.plume.smoke.annotations;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.instrumentation.annotations.SpanAttribute;
import io.opentelemetry.instrumentation.annotations.WithSpan;

import java.util.List;

/** Methods with the newest annotations ({@code io.opentelemetry.instrumentation.annotations}, 2.31.1). */
public class Orders {
    private final Inventory inventory;

    public Orders(Inventory inventory) {
        this.inventory = inventory;
    }

    /** A span named {@code Orders.place}, its arguments as attributes (customer by its parameter name). */
    @WithSpan
    public String place(@SpanAttribute("order.item") String item, @SpanAttribute("order.quantity") int quantity,
                        @SpanAttribute("order.price") double price, @SpanAttribute("order.gift") boolean gift,
                        @SpanAttribute("order.tags") List<String> tags, @SpanAttribute("order.batches") long[] batches,
                        @SpanAttribute Customer customer) {
        inventory.reserve(item, quantity);
        return item + " x" + quantity;
    }

    @WithSpan("cancel order")
    public void cancel(@SpanAttribute("order.id") String id) {
        throw new IllegalStateException("already shipped: " + id);
    }

    /** Its own trace, whatever the caller's. */
    @WithSpan(value = "nightly report", kind = SpanKind.INTERNAL, inheritContext = false)
    public int nightlyReport() {
        return inventory.count();
    }

    @WithSpan(kind = SpanKind.PRODUCER)
    public void publish(@SpanAttribute("messaging.destination.name") String topic) {
    }

    /** Excluded by {@code otel.instrumentation.opentelemetry-instrumentation-annotations.exclude-methods}. */
    @WithSpan
    public void unlisted() {
    }
}
