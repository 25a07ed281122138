package dev.plume.bootstrap.trace;

import dev.plume.bootstrap.record.DecodedSpan;
import dev.plume.bootstrap.record.RecordingFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code otel.propagators}: which headers are read and written, B3 in both forms, W3C baggage, and their order. */
class PropagationTest {
    private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    @AfterEach
    void defaults() {
        Propagation.configure(List.of("tracecontext", "baggage"));
        Tracer.uninstall();
    }

    /** A SERVER span started from these header values (in the configured names' order), then ended and decoded. */
    private static SpanSlot server(String... nameValuePairs) {
        String[] values = new String[Propagation.names().length];
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            int slot = Propagation.indexOf(nameValuePairs[i]);
            assertTrue(slot >= 0, nameValuePairs[i] + " not read by " + Arrays.toString(Propagation.names()));
            values[slot] = nameValuePairs[i + 1];
        }
        return Tracer.startSpanFromRemote(0, SpanKind.SERVER, "s", null, values);
    }

    private static String outgoing(SpanSlot span, String name) {
        for (int i = 0; i < Propagation.outgoingCount(); i++) {
            if (Propagation.outgoingName(i).equalsIgnoreCase(name)) {
                return Propagation.outgoingValue(i, span);
            }
        }
        return null;
    }

    @Test
    void theDefaultIsTraceContextAndBaggage() {
        assertArrayEquals(new String[] {"traceparent", "tracestate", "baggage"}, Propagation.names());
        assertTrue(Propagation.isList(Propagation.indexOf("tracestate")));
        assertTrue(Propagation.isList(Propagation.indexOf("Baggage")));
        assertFalse(Propagation.isList(Propagation.indexOf("traceparent")));
        RecordingFixture fixture = RecordingFixture.standard();
        SpanSlot span = server("traceparent", TRACEPARENT, "tracestate", "v=1", "baggage", "user=42,tier=gold");
        assertEquals("user=42,tier=gold", span.baggage());
        SpanSlot client = Tracer.startSpan(0, SpanKind.CLIENT, "c", null);
        assertEquals("user=42,tier=gold", outgoing(client, "baggage"), "baggage goes downstream");
        assertEquals("v=1", outgoing(client, "tracestate"));
        assertTrue(outgoing(client, "traceparent").startsWith("00-0af7651916cd43dd8448eb211c80319c-"));
        assertEquals("user=42,tier=gold", client.context().baggage(), "and to other threads");
        client.end();
        span.end();
        DecodedSpan decoded = fixture.drain().get(1);
        assertEquals(0xb7ad6b7169203331L, decoded.parentSpanId());
    }

    /**
     * A span's traceparent is formatted through its thread's scratch bytes: strings made before stay as they were, and
     * another thread formatting the same span (no scratch of the owner's) gets the same value.
     */
    @Test
    void traceparentsFormattedOnOneThreadStayDistinct() throws Exception {
        RecordingFixture.standard();
        SpanSlot server = server("traceparent", TRACEPARENT);
        SpanSlot first = Tracer.startSpan(0, SpanKind.CLIENT, "c1", null);
        String firstValue = outgoing(first, "traceparent");
        long firstId = first.spanId();
        first.end();
        SpanSlot second = Tracer.startSpan(0, SpanKind.CLIENT, "c2", null);
        String secondValue = outgoing(second, "traceparent");
        String[] elsewhere = new String[1];
        Thread other = new Thread(() -> elsewhere[0] = outgoing(second, "traceparent"));
        other.start();
        other.join();
        long secondId = second.spanId();
        second.end();
        server.end();
        assertEquals(String.format("00-0af7651916cd43dd8448eb211c80319c-%016x-01", firstId), firstValue);
        assertEquals(String.format("00-0af7651916cd43dd8448eb211c80319c-%016x-01", secondId), secondValue);
        assertFalse(firstValue.equals(secondValue));
        assertEquals(secondValue, elsewhere[0]);
    }

    @Test
    void baggageWithoutAParentStartsATraceThatCarriesIt() {
        RecordingFixture.standard();
        SpanSlot span = server("baggage", "k=v");
        assertEquals(0, span.parentSpanId());
        assertEquals("k=v", span.baggage());
        span.end();
    }

    @Test
    void b3SingleHeader() {
        Propagation.configure(List.of("b3"));
        assertArrayEquals(new String[] {"b3"}, Propagation.names());
        RecordingFixture.standard();
        SpanSlot span = server("b3", "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1");
        assertEquals(0x0af7651916cd43ddL, span.traceIdHigh());
        assertEquals(0xb7ad6b7169203331L, span.parentSpanId());
        assertTrue(span.isRecording());
        String sent = outgoing(span, "b3");
        assertEquals("0af7651916cd43dd8448eb211c80319c-" + W3cTraceContext.spanIdHex(span.spanId()) + "-1", sent);
        assertNull(outgoing(span, "traceparent"), "only the configured propagators write");
        span.end();
        // a 64-bit trace id, a debug flag, a parent span id after the sampling state
        SpanSlot shortId = server("b3", "8448eb211c80319c-b7ad6b7169203331-d-0000000000000001");
        assertEquals(0, shortId.traceIdHigh());
        assertEquals(0x8448eb211c80319cL, shortId.traceIdLow());
        shortId.end();
        SpanSlot unsampled = server("b3", "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0");
        assertFalse(unsampled.isRecording());
        assertTrue(outgoing(unsampled, "b3").endsWith("-0"));
        unsampled.end();
        for (String bad : List.of("1", "0", "d", "0af7651916cd43dd8448eb211c80319c", "0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331",
            "0af7651916cd43dd8448eb211c80319c-b7ad6b716920333", "00000000000000000000000000000000-b7ad6b7169203331",
            "0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-x")) {
            SpanSlot root = server("b3", bad);
            assertEquals(0, root.parentSpanId(), bad);
            root.end();
        }
    }

    @Test
    void b3MultipleHeaders() {
        Propagation.configure(List.of("b3multi"));
        RecordingFixture.standard();
        SpanSlot span = server("X-B3-TraceId", "0af7651916cd43dd8448eb211c80319c", "X-B3-SpanId", "b7ad6b7169203331",
            "X-B3-Sampled", "1");
        assertEquals(0xb7ad6b7169203331L, span.parentSpanId());
        assertEquals("0af7651916cd43dd8448eb211c80319c", outgoing(span, "X-B3-TraceId"));
        assertEquals(W3cTraceContext.spanIdHex(span.spanId()), outgoing(span, "X-B3-SpanId"));
        assertEquals("1", outgoing(span, "X-B3-Sampled"));
        span.end();
        SpanSlot unsampled = server("X-B3-TraceId", "0af7651916cd43dd8448eb211c80319c", "X-B3-SpanId",
            "b7ad6b7169203331", "X-B3-Sampled", "false");
        assertFalse(unsampled.isRecording());
        unsampled.end();
        SpanSlot debug = server("X-B3-TraceId", "0af7651916cd43dd8448eb211c80319c", "X-B3-SpanId",
            "b7ad6b7169203331", "X-B3-Sampled", "0", "X-B3-Flags", "1");
        assertTrue(debug.isRecording(), "the debug flag samples");
        debug.end();
        SpanSlot noSpanId = server("X-B3-TraceId", "0af7651916cd43dd8448eb211c80319c");
        assertEquals(0, noSpanId.parentSpanId());
        noSpanId.end();
    }

    @Test
    void aLaterPropagatorsParentWinsAndUnknownNamesAreSkipped() {
        Propagation.configure(List.of("tracecontext", "B3 ", "nosuch", "tracecontext", "none"));
        assertArrayEquals(new String[] {"traceparent", "tracestate", "b3"}, Propagation.names());
        RecordingFixture.standard();
        SpanSlot span = server("traceparent", TRACEPARENT, "tracestate", "v=1",
            "b3", "11111111111111112222222222222222-3333333333333333-1");
        assertEquals(0x3333333333333333L, span.parentSpanId());
        assertNull(span.traceState(), "a B3 parent has no W3C trace state");
        span.end();
        SpanSlot w3c = server("traceparent", TRACEPARENT, "b3", "garbage");
        assertEquals(0xb7ad6b7169203331L, w3c.parentSpanId());
        w3c.end();
        Propagation.configure(List.of("none"));
        assertEquals(0, Propagation.names().length);
        assertEquals(0, Propagation.outgoingCount());
    }

    @Test
    void w3cBaggageRules() {
        for (String good : List.of("k=v", "k=v,k2=v2", "k = v ; prop ; p2=x", "user%20id=a%2Cb", "k=", "k=v;p",
            "a-b_c.d!#$&'*+^`|~=v")) {
            assertSame(good, W3cBaggage.valid(good), good);
        }
        assertEquals("k=v,b=2", W3cBaggage.valid("k=v, bad key=1, =x, b=2,c=\"quoted\",d=back\\slash,e=50%"));
        assertSame(" k=v , , ", W3cBaggage.valid(" k=v , , "), "valid as received: passed on as received");
        for (String bad : List.of("", " ", ",", "k", "=v", "k v=1", "k=a,b")) {
            String kept = W3cBaggage.valid(bad);
            assertTrue(kept == null || kept.equals("k=a"), bad + " -> " + kept);
        }
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            many.append(i == 0 ? "" : ",").append("k").append(i).append("=v");
        }
        String kept = W3cBaggage.valid(many.toString());
        assertEquals(W3cBaggage.MAX_MEMBERS, kept.split(",").length, "at most 180 members");
        String big = "a=" + "x".repeat(5000) + ",b=" + "y".repeat(5000);
        assertEquals("a=" + "x".repeat(5000), W3cBaggage.valid(big), "at most 8192 bytes, whole members");
        assertNull(W3cBaggage.valid(null));
    }
}
