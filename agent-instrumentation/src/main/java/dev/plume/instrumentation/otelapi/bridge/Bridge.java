package dev.plume.instrumentation.otelapi.bridge;

import dev.plume.bootstrap.trace.SpanSlot;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.TraceStateBuilder;
import io.opentelemetry.context.Context;

import java.util.List;

/** Conversions between the OpenTelemetry API's values and Plume's: ids, kinds, trace state, baggage, attributes. */
final class Bridge {
    static final int SPAN = 0;
    static final int EVENT = 1;
    static final int LINK = 2;

    /** Made current for a context with neither span nor baggage: Plume's spans under it start new traces. */
    static final dev.plume.bootstrap.trace.SpanContext ROOT =
        new dev.plume.bootstrap.trace.SpanContext(0, 0, 0, 0, null, false);

    /** The last baggage decoded from or encoded to a header value, kept for the next conversion of the same one. */
    private static volatile Object[] lastBaggage = {null, null};

    private Bridge() {
    }

    static int kind(SpanKind kind) {
        return switch (kind.name()) {
            case "SERVER" -> dev.plume.bootstrap.trace.SpanKind.SERVER;
            case "CLIENT" -> dev.plume.bootstrap.trace.SpanKind.CLIENT;
            case "PRODUCER" -> dev.plume.bootstrap.trace.SpanKind.PRODUCER;
            case "CONSUMER" -> dev.plume.bootstrap.trace.SpanKind.CONSUMER;
            default -> dev.plume.bootstrap.trace.SpanKind.INTERNAL;
        };
    }

    /**
     * Plume's context for an API context: its span (Plume's own, or another implementation's valid span context) and
     * its baggage; {@link #ROOT} when it has neither, null for no context.
     */
    static dev.plume.bootstrap.trace.SpanContext toPlume(Context context) {
        if (context == null) {
            return null;
        }
        Span span = Span.fromContextOrNull(context);
        String baggage = baggageHeader(Baggage.fromContextOrNull(context));
        if (span instanceof PlumeSpan plume) {
            return plume.plumeContext(baggage);
        }
        if (span != null) {
            SpanContext ids = span.getSpanContext();
            if (ids.isValid()) {
                String traceId = ids.getTraceId();
                return new dev.plume.bootstrap.trace.SpanContext(hexLong(traceId, 0), hexLong(traceId, 16),
                    hexLong(ids.getSpanId(), 0), ids.getTraceFlags().asByte() & 0xFF,
                    traceStateHeader(ids.getTraceState()), ids.isRemote(), baggage, span);
            }
        }
        return baggage == null ? ROOT : new dev.plume.bootstrap.trace.SpanContext(0, 0, 0, 0, null, false, baggage);
    }

    static SpanContext apiContext(long traceIdHigh, long traceIdLow, long spanId, int traceFlags, String traceState,
                                  boolean remote) {
        String traceId = TraceId.fromLongs(traceIdHigh, traceIdLow);
        String span = SpanId.fromLong(spanId);
        TraceFlags flags = TraceFlags.fromByte((byte) traceFlags);
        TraceState state = traceState(traceState);
        return remote ? SpanContext.createFromRemoteParent(traceId, span, flags, state)
            : SpanContext.create(traceId, span, flags, state);
    }

    static long hexLong(String hex, int offset) {
        long value = 0;
        for (int i = offset; i < offset + 16 && i < hex.length(); i++) {
            value = (value << 4) | Character.digit(hex.charAt(i), 16);
        }
        return value;
    }

    /** A W3C {@code tracestate} value (already valid: Plume checks what it receives) as the API's TraceState. */
    static TraceState traceState(String header) {
        if (header == null || header.isEmpty()) {
            return TraceState.getDefault();
        }
        TraceStateBuilder builder = TraceState.builder();
        String[] members = header.split(",");
        // the builder puts each new key first: add from the last member so the list keeps its order
        for (int i = members.length - 1; i >= 0; i--) {
            String member = members[i].strip();
            int equals = member.indexOf('=');
            if (equals > 0) {
                builder.put(member.substring(0, equals), member.substring(equals + 1));
            }
        }
        return builder.build();
    }

    static String traceStateHeader(TraceState state) {
        if (state == null || state.isEmpty()) {
            return null;
        }
        StringBuilder header = new StringBuilder();
        state.forEach((key, value) -> header.append(header.length() == 0 ? "" : ",").append(key).append('=')
            .append(value));
        return header.toString();
    }

    /**
     * The W3C {@code baggage} header value for the API's baggage, or null when there is none. Written here rather
     * than by the API's own propagator, which in older versions (1.0) does not percent-encode values.
     */
    static String baggageHeader(Baggage baggage) {
        if (baggage == null || baggage.isEmpty()) {
            return null;
        }
        Object[] last = lastBaggage;
        if (last[1] == baggage) {
            return (String) last[0];
        }
        StringBuilder header = new StringBuilder();
        baggage.forEach((key, entry) -> {
            if (key == null || key.isEmpty() || entry == null || entry.getValue() == null) {
                return;
            }
            header.append(header.length() == 0 ? "" : ",").append(key).append('=');
            encode(entry.getValue(), header);
            String metadata = entry.getMetadata() == null ? "" : entry.getMetadata().getValue();
            if (metadata != null && !metadata.isEmpty()) {
                header.append(';').append(metadata);
            }
        });
        String value = header.length() == 0 ? null : header.toString();
        lastBaggage = new Object[] {value, baggage};
        return value;
    }

    /** Percent-encodes what the W3C baggage-octet grammar does not allow (and {@code %} itself), as UTF-8. */
    private static void encode(String value, StringBuilder into) {
        byte[] bytes = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (byte b : bytes) {
            int c = b & 0xFF;
            boolean octet = c == 0x21 || (c >= 0x23 && c <= 0x2B && c != 0x25) || (c >= 0x2D && c <= 0x3A)
                || (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
            if (octet) {
                into.append((char) c);
            } else {
                into.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                    .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
    }

    /** The API's baggage for a W3C {@code baggage} header value (already valid: Plume checks what it receives). */
    static Baggage baggage(String header) {
        if (header == null) {
            return null;
        }
        Object[] last = lastBaggage;
        if (header.equals(last[0])) {
            return (Baggage) last[1];
        }
        io.opentelemetry.api.baggage.BaggageBuilder builder = Baggage.builder();
        for (String member : header.split(",")) {
            int semicolon = member.indexOf(';');
            String pair = semicolon < 0 ? member : member.substring(0, semicolon);
            int equals = pair.indexOf('=');
            if (equals <= 0) {
                continue;
            }
            String key = pair.substring(0, equals).strip();
            String value = decode(pair.substring(equals + 1).strip());
            String metadata = semicolon < 0 ? "" : member.substring(semicolon + 1).strip();
            if (!key.isEmpty()) {
                builder.put(key, value, io.opentelemetry.api.baggage.BaggageEntryMetadata.create(metadata));
            }
        }
        Baggage baggage = builder.build();
        lastBaggage = new Object[] {header, baggage};
        return baggage;
    }

    private static String decode(String value) {
        if (value.indexOf('%') < 0) {
            return value;
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            int high = c == '%' && i + 2 < value.length() ? Character.digit(value.charAt(i + 1), 16) : -1;
            int low = high >= 0 ? Character.digit(value.charAt(i + 2), 16) : -1;
            if (low >= 0) {
                bytes.write((high << 4) | low);
                i += 2;
            } else {
                byte[] raw = String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                bytes.write(raw, 0, raw.length);
            }
        }
        return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    static void addLink(SpanSlot slot, SpanContext linked, Attributes attributes) {
        if (linked == null || !linked.isValid()) {
            return;
        }
        String traceId = linked.getTraceId();
        if (slot.addLink(hexLong(traceId, 0), hexLong(traceId, 16), hexLong(linked.getSpanId(), 0),
            linked.getTraceFlags().asByte() & 0xFF, traceStateHeader(linked.getTraceState()), linked.isRemote())) {
            setAttributes(slot, LINK, attributes);
        }
    }

    static void setAttributes(SpanSlot slot, int where, Attributes attributes) {
        if (attributes == null || attributes.isEmpty()) {
            return;
        }
        attributes.forEach((key, value) -> setAttribute(slot, where, key, value));
    }

    /** An attribute given by a string key (typed by its value) or by an {@link AttributeKey}. */
    static void setAttributeOf(SpanSlot slot, int where, Object key, Object value) {
        if (key instanceof AttributeKey<?> typed) {
            setAttribute(slot, where, typed, value);
        } else if (key instanceof String name) {
            if (value instanceof String string) {
                string(slot, where, name, string);
            } else if (value instanceof Boolean bool) {
                bool(slot, where, name, bool);
            } else if (value instanceof Double number) {
                dbl(slot, where, name, number);
            } else if (value instanceof Long number) {
                lng(slot, where, name, number);
            }
        }
    }

    static void setAttribute(SpanSlot slot, int where, AttributeKey<?> key, Object value) {
        if (key == null || value == null || key.getKey() == null || key.getKey().isEmpty()) {
            return;
        }
        String name = key.getKey();
        switch (key.getType().name()) {
            case "STRING" -> string(slot, where, name, value.toString());
            case "BOOLEAN" -> bool(slot, where, name, (Boolean) value);
            case "LONG" -> lng(slot, where, name, ((Number) value).longValue());
            case "DOUBLE" -> dbl(slot, where, name, ((Number) value).doubleValue());
            case "STRING_ARRAY" -> {
                List<?> list = (List<?>) value;
                String[] array = new String[list.size()];
                for (int i = 0; i < array.length; i++) {
                    Object element = list.get(i);
                    array[i] = element == null ? null : element.toString();
                }
                switch (where) {
                    case SPAN -> slot.setAttribute(name, array);
                    case EVENT -> slot.setEventAttribute(name, array);
                    default -> slot.setLinkAttribute(name, array);
                }
            }
            case "LONG_ARRAY" -> {
                List<?> list = (List<?>) value;
                long[] array = new long[list.size()];
                for (int i = 0; i < array.length; i++) {
                    Object element = list.get(i);
                    array[i] = element instanceof Number number ? number.longValue() : 0;
                }
                switch (where) {
                    case SPAN -> slot.setAttribute(name, array);
                    case EVENT -> slot.setEventAttribute(name, array);
                    default -> slot.setLinkAttribute(name, array);
                }
            }
            case "DOUBLE_ARRAY" -> {
                List<?> list = (List<?>) value;
                double[] array = new double[list.size()];
                for (int i = 0; i < array.length; i++) {
                    Object element = list.get(i);
                    array[i] = element instanceof Number number ? number.doubleValue() : 0;
                }
                switch (where) {
                    case SPAN -> slot.setAttribute(name, array);
                    case EVENT -> slot.setEventAttribute(name, array);
                    default -> slot.setLinkAttribute(name, array);
                }
            }
            case "BOOLEAN_ARRAY" -> {
                List<?> list = (List<?>) value;
                boolean[] array = new boolean[list.size()];
                for (int i = 0; i < array.length; i++) {
                    array[i] = Boolean.TRUE.equals(list.get(i));
                }
                switch (where) {
                    case SPAN -> slot.setAttribute(name, array);
                    case EVENT -> slot.setEventAttribute(name, array);
                    default -> slot.setLinkAttribute(name, array);
                }
            }
            default -> string(slot, where, name, String.valueOf(value)); // a type newer than this bridge
        }
    }

    private static void string(SpanSlot slot, int where, String key, String value) {
        switch (where) {
            case SPAN -> slot.setAttribute(key, value);
            case EVENT -> slot.setEventAttribute(key, value);
            default -> slot.setLinkAttribute(key, value);
        }
    }

    private static void bool(SpanSlot slot, int where, String key, boolean value) {
        switch (where) {
            case SPAN -> slot.setAttribute(key, value);
            case EVENT -> slot.setEventAttribute(key, value);
            default -> slot.setLinkAttribute(key, value);
        }
    }

    private static void lng(SpanSlot slot, int where, String key, long value) {
        switch (where) {
            case SPAN -> slot.setAttribute(key, value);
            case EVENT -> slot.setEventAttribute(key, value);
            default -> slot.setLinkAttribute(key, value);
        }
    }

    private static void dbl(SpanSlot slot, int where, String key, double value) {
        switch (where) {
            case SPAN -> slot.setAttribute(key, value);
            case EVENT -> slot.setEventAttribute(key, value);
            default -> slot.setLinkAttribute(key, value);
        }
    }
}
