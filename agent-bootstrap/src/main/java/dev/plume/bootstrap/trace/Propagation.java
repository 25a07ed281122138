package dev.plume.bootstrap.trace;

import dev.plume.bootstrap.PlumeLog;

import java.util.ArrayList;
import java.util.List;

/**
 * The propagators of {@code otel.propagators}, in its order: {@code tracecontext} (W3C {@code traceparent} and
 * {@code tracestate}), {@code baggage} (W3C {@code baggage}), {@code b3} (the single {@code b3} header) and
 * {@code b3multi} ({@code X-B3-TraceId}, {@code X-B3-SpanId}, {@code X-B3-Sampled}, {@code X-B3-Flags}); {@code none}
 * for none. Default {@code tracecontext,baggage}.
 *
 * <p>Extracting, a server's advice reads the headers {@link #names()} lists (values of a header received several
 * times: see {@link #isList}) into an array in that order and hands it to {@link Tracer#startSpanFromRemote}. Each
 * trace propagator whose headers hold a valid parent overrides the ones before it (the OpenTelemetry SDK's composite
 * propagator does the same), baggage is taken from its own header. Injecting, a client's advice asks for each of
 * {@link #outgoingCount()} headers the value for its span ({@link #outgoingValue}); null means the header is not sent.
 */
public final class Propagation {
    static final int TRACECONTEXT = 1;
    static final int BAGGAGE = 2;
    static final int B3 = 4;
    static final int B3_MULTI = 8;

    // header slots, in the array advice fills
    private static final String TRACEPARENT = "traceparent";
    private static final String TRACESTATE = "tracestate";
    private static final String BAGGAGE_HEADER = "baggage";
    private static final String B3_HEADER = "b3";
    private static final String B3_TRACE_ID = "x-b3-traceid";
    private static final String B3_SPAN_ID = "x-b3-spanid";
    private static final String B3_SAMPLED = "x-b3-sampled";
    private static final String B3_FLAGS = "x-b3-flags";

    private static volatile Propagation current = of(List.of("tracecontext", "baggage"));

    private final int[] order;
    private final String[] names;
    private final boolean[] lists;
    private final String[] outgoing;

    private Propagation(int[] order, String[] names, boolean[] lists, String[] outgoing) {
        this.order = order;
        this.names = names;
        this.lists = lists;
        this.outgoing = outgoing;
    }

    /** Configures the process's propagators ({@code otel.propagators}); unknown names are reported and skipped. */
    public static void configure(List<String> propagators) {
        current = of(propagators);
    }

    static Propagation of(List<String> propagators) {
        List<Integer> order = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Boolean> lists = new ArrayList<>();
        List<String> outgoing = new ArrayList<>();
        int seen = 0;
        for (String raw : propagators) {
            String name = raw.trim().toLowerCase(java.util.Locale.ROOT);
            int kind = switch (name) {
                case "tracecontext" -> TRACECONTEXT;
                case "baggage" -> BAGGAGE;
                case "b3" -> B3;
                case "b3multi" -> B3_MULTI;
                case "none", "" -> 0;
                default -> -1;
            };
            if (kind < 0) {
                PlumeLog.warn("otel.propagators: unknown propagator '" + raw.trim() + "' ignored (Plume knows"
                    + " tracecontext, baggage, b3, b3multi and none)");
                continue;
            }
            if (kind == 0 || (seen & kind) != 0) {
                continue;
            }
            seen |= kind;
            order.add(kind);
            switch (kind) {
                case TRACECONTEXT -> {
                    add(names, lists, TRACEPARENT, false);
                    add(names, lists, TRACESTATE, true);
                    outgoing.add(TRACEPARENT);
                    outgoing.add(TRACESTATE);
                }
                case BAGGAGE -> {
                    add(names, lists, BAGGAGE_HEADER, true);
                    outgoing.add(BAGGAGE_HEADER);
                }
                case B3 -> {
                    add(names, lists, B3_HEADER, false);
                    outgoing.add(B3_HEADER);
                }
                default -> {
                    add(names, lists, B3_TRACE_ID, false);
                    add(names, lists, B3_SPAN_ID, false);
                    add(names, lists, B3_SAMPLED, false);
                    add(names, lists, B3_FLAGS, false);
                    outgoing.add("X-B3-TraceId");
                    outgoing.add("X-B3-SpanId");
                    outgoing.add("X-B3-Sampled");
                }
            }
        }
        int[] kinds = new int[order.size()];
        for (int i = 0; i < kinds.length; i++) {
            kinds[i] = order.get(i);
        }
        boolean[] listFlags = new boolean[lists.size()];
        for (int i = 0; i < listFlags.length; i++) {
            listFlags[i] = lists.get(i);
        }
        return new Propagation(kinds, names.toArray(new String[0]), listFlags, outgoing.toArray(new String[0]));
    }

    private static void add(List<String> names, List<Boolean> lists, String name, boolean list) {
        names.add(name);
        lists.add(list);
    }

    /** The headers (lower case) a server reads, in the order of the array it hands over. */
    public static String[] names() {
        return current.names;
    }

    /**
     * Whether header {@code index} is a list (several such headers are joined with {@code ','}, as
     * {@link W3cTraceContext#join} does); otherwise a header received more than once is no value at all
     * ({@link W3cTraceContext#single}).
     */
    public static boolean isList(int index) {
        return current.lists[index];
    }

    /** The index of a header name (any case) in {@link #names()}, or -1. */
    public static int indexOf(String headerName) {
        String[] names = current.names;
        for (int i = 0; i < names.length; i++) {
            if (names[i].equalsIgnoreCase(headerName)) {
                return i;
            }
        }
        return -1;
    }

    /** How many headers a client may send ({@link #outgoingName}, {@link #outgoingValue}). */
    public static int outgoingCount() {
        return current.outgoing.length;
    }

    public static String outgoingName(int index) {
        return current.outgoing[index];
    }

    /** The value of outgoing header {@code index} for a client call made in {@code span}, or null to send none. */
    public static String outgoingValue(int index, SpanSlot span) {
        ThreadState owner = span.ownerHere(); // a span started on this thread formats through its state's scratch
        byte[] scratch = owner != null ? owner.traceparentScratch() : null;
        return outgoingValue(index, scratch, span.traceIdHigh, span.traceIdLow, span.spanId, span.traceFlags,
            span.traceState, span.baggage);
    }

    /**
     * The value of outgoing header {@code index} on behalf of {@code context} (the OpenTelemetry API's propagators
     * inject a context, not a span), or null to send none; a context with no span sends its baggage only.
     */
    public static String outgoingValue(int index, SpanContext context) {
        if (context.spanId == 0 && !BAGGAGE_HEADER.equals(current.outgoing[index])) {
            return null;
        }
        return outgoingValue(index, null, context.traceIdHigh, context.traceIdLow, context.spanId, context.traceFlags,
            context.traceState, context.baggage);
    }

    private static String outgoingValue(int index, byte[] scratch, long traceIdHigh, long traceIdLow, long spanId,
                                        int traceFlags, String traceState, String baggage) {
        String name = current.outgoing[index];
        return switch (name) {
            case TRACEPARENT -> scratch == null ? W3cTraceContext.format(traceIdHigh, traceIdLow, spanId, traceFlags)
                : W3cTraceContext.format(scratch, traceIdHigh, traceIdLow, spanId, traceFlags);
            case TRACESTATE -> traceState == null || traceState.isEmpty() ? null : traceState;
            case BAGGAGE_HEADER -> baggage;
            case B3_HEADER -> W3cTraceContext.traceIdHex(traceIdHigh, traceIdLow) + '-'
                + W3cTraceContext.spanIdHex(spanId) + ((traceFlags & W3cTraceContext.FLAG_SAMPLED) != 0
                ? "-1" : "-0");
            case "X-B3-TraceId" -> W3cTraceContext.traceIdHex(traceIdHigh, traceIdLow);
            case "X-B3-SpanId" -> W3cTraceContext.spanIdHex(spanId);
            default -> (traceFlags & W3cTraceContext.FLAG_SAMPLED) != 0 ? "1" : "0";
        };
    }

    /**
     * What received headers say, as a remote context (the OpenTelemetry API's propagators extract into a context):
     * {@code values} holds the values of {@link #names()}, in order. A context with no valid parent has span id 0 and
     * carries the baggage only; null when there is neither.
     */
    public static SpanContext extractContext(String[] values) {
        Extracted extracted = new Extracted();
        extract(values, extracted);
        if (extracted.hasParent) {
            return new SpanContext(extracted.traceIdHigh, extracted.traceIdLow, extracted.spanId,
                extracted.traceFlags, extracted.traceState, true, extracted.baggage);
        }
        return extracted.baggage == null ? null
            : new SpanContext(0, 0, 0, 0, null, false, extracted.baggage);
    }

    /** What the received headers say: a parent (when one is valid), its trace state, and baggage. */
    static final class Extracted {
        long traceIdHigh;
        long traceIdLow;
        long spanId;
        int traceFlags;
        String traceState;
        String baggage;
        boolean hasParent;

        void clear() {
            hasParent = false;
            traceState = null;
            baggage = null;
        }
    }

    /**
     * Reads a W3C {@code traceparent} (optional whitespace around it ignored) and, with a valid parent, its
     * {@code tracestate} (kept only when valid) into {@code into}; leaves {@code into} as it was otherwise.
     */
    static void traceContext(String traceparent, String tracestate, Extracted into) {
        String parent = traceparent == null ? null : traceparent.strip();
        if (W3cTraceContext.read(parent, into)) {
            into.traceState = W3cTraceContext.validTracestate(tracestate);
            into.hasParent = true;
        }
    }

    /** Reads {@code values} (in {@link #names()}'s order, null where absent) into {@code into}. */
    static void extract(String[] values, Extracted into) {
        Propagation propagation = current;
        into.clear();
        if (values == null) {
            return;
        }
        int slot = 0;
        for (int kind : propagation.order) {
            switch (kind) {
                case TRACECONTEXT -> {
                    traceContext(value(values, slot), value(values, slot + 1), into);
                    slot += 2;
                }
                case BAGGAGE -> {
                    into.baggage = W3cBaggage.valid(value(values, slot));
                    slot += 1;
                }
                case B3 -> {
                    B3Headers.single(strip(values, slot), into);
                    slot += 1;
                }
                default -> {
                    B3Headers.multi(strip(values, slot), strip(values, slot + 1), strip(values, slot + 2),
                        strip(values, slot + 3), into);
                    slot += 4;
                }
            }
        }
    }

    private static String value(String[] values, int index) {
        return index < values.length ? values[index] : null;
    }

    private static String strip(String[] values, int index) {
        String value = value(values, index);
        return value == null ? null : value.strip();
    }
}
