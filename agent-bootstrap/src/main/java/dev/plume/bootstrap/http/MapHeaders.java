package dev.plume.bootstrap.http;

import dev.plume.bootstrap.trace.Propagation;
import dev.plume.bootstrap.trace.SpanSlot;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Sets the propagators' headers for a span on a library's header map ({@code Map<String, List<String>>}: Spring's
 * {@code HttpHeaders} up to 6.x, case-insensitive), replacing what the application had put there under those names,
 * as the other clients' {@code setHeader} does; handed to a builder's {@code headers(Consumer)} (Spring's
 * {@code ClientRequest.Builder}), whose headers the bootstrap cannot name.
 */
public final class MapHeaders implements Consumer<Object> {
    private final SpanSlot span;

    private MapHeaders(SpanSlot span) {
        this.span = span;
    }

    /** What sets {@code span}'s headers on the map it is given. */
    public static MapHeaders of(SpanSlot span) {
        return new MapHeaders(span);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void accept(Object headers) {
        if (!(headers instanceof Map)) {
            return;
        }
        Map<String, List<String>> map = (Map<String, List<String>>) headers;
        for (int i = 0; i < Propagation.outgoingCount(); i++) {
            String value = Propagation.outgoingValue(i, span);
            if (value != null) {
                map.put(Propagation.outgoingName(i), Collections.singletonList(value));
            }
        }
    }
}
