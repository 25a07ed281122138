package dev.plume.bootstrap.trace;

import org.junit.jupiter.api.Test;

import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The W3C Trace Context (Level 1) processing model, rule by rule, for traceparent and tracestate. */
class W3cTraceContextTest {
    private static final String VALID = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    @Test
    void traceparentVersion00() {
        assertTrue(W3cTraceContext.isValid(VALID));
        Propagation.Extracted read = new Propagation.Extracted();
        assertTrue(W3cTraceContext.read(VALID, read));
        assertEquals(0x0af7651916cd43ddL, read.traceIdHigh);
        assertEquals(0x8448eb211c80319cL, read.traceIdLow);
        assertEquals(0xb7ad6b7169203331L, read.spanId);
        assertEquals(1, read.traceFlags);
        assertTrue(W3cTraceContext.isValid("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"));
        // flags other than sampled are carried, not a reason to reject
        assertTrue(W3cTraceContext.isValid("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-09"));
    }

    @Test
    void traceparentMalformed() {
        for (String bad : List.of("", "00", VALID.toUpperCase(), VALID.substring(0, 54), VALID + "-", VALID + "0",
            "00-00000000000000000000000000000000-b7ad6b7169203331-01", // all-zero trace id
            "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", // all-zero parent id
            "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", // version ff is forbidden
            "0g-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", // not hex
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0g",
            "00_0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", // wrong separator
            "00-0af7651916cd43dd8448eb211c80319-cb7ad6b7169203331-01", // field lengths off
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333-101",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01,00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")) {
            assertFalse(W3cTraceContext.isValid(bad), bad);
        }
        assertFalse(W3cTraceContext.isValid(null));
    }

    /** One pass reads the ids and the sampled flag; a character not a lowercase hex digit anywhere is refused. */
    @Test
    void readingTakesTheIdsAndTheSampledFlagOrNothing() {
        Propagation.Extracted into = new Propagation.Extracted();
        assertTrue(W3cTraceContext.read("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03", into));
        assertEquals(0x0af7651916cd43ddL, into.traceIdHigh);
        assertEquals(0x8448eb211c80319cL, into.traceIdLow);
        assertEquals(0xb7ad6b7169203331L, into.spanId);
        assertEquals(W3cTraceContext.FLAG_SAMPLED, into.traceFlags, "only the sampled flag is kept");
        for (int at : new int[] {0, 1, 3, 18, 19, 34, 36, 51, 53, 54}) {
            for (char c : new char[] {'A', 'g', '/', ':', '`', 'é', '\u0130', '\u0660'}) {
                StringBuilder bad = new StringBuilder(VALID);
                bad.setCharAt(at, c);
                Propagation.Extracted untouched = new Propagation.Extracted();
                untouched.traceIdHigh = 7;
                assertFalse(W3cTraceContext.read(bad.toString(), untouched), bad.toString());
                assertEquals(7, untouched.traceIdHigh, "left as it was: " + bad);
                assertFalse(W3cTraceContext.isValid(bad), bad.toString());
            }
        }
    }

    @Test
    void traceparentFutureVersionsAreReadAsVersion00() {
        assertTrue(W3cTraceContext.isValid("cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
        assertTrue(W3cTraceContext.isValid("cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-what-comes-later"));
        // after the version-00 fields, a future version must continue with '-'
        assertFalse(W3cTraceContext.isValid("cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01.more"));
    }

    @Test
    void twoTraceparentHeadersAreNoParent() {
        assertEquals(VALID, W3cTraceContext.single(Collections.enumeration(List.of(VALID))));
        assertNull(W3cTraceContext.single(Collections.enumeration(List.of(VALID, VALID))));
        assertNull(W3cTraceContext.single(Collections.emptyEnumeration()));
        assertNull(W3cTraceContext.single(null));
    }

    @Test
    void severalTracestateHeadersAreOneList() {
        assertEquals("a=1", W3cTraceContext.join(Collections.enumeration(List.of("a=1"))));
        assertEquals("a=1,b=2,c=3", W3cTraceContext.join(Collections.enumeration(List.of("a=1", "b=2,c=3"))));
        assertEquals("a=1,b=2", W3cTraceContext.join(List.of("a=1", "b=2")));
        assertNull(W3cTraceContext.join(List.of()));
        assertNull(W3cTraceContext.join((java.util.Enumeration<String>) null));
    }

    @Test
    void validTracestatesAreInheritedWhole() {
        for (String good : List.of("foo=bar", "foo=bar,baz=qux", "foo=bar , baz=qux", " foo=bar\t", "foo=bar,,baz=1",
            "foo=bar,", "tenant@system=v", "0tenant@sys=v", "a_b-c*d/e=v", "k=with spaces inside", "k=!\"#$%&'()*+-./:;<>?@[\\]^_`{|}~",
            "a".repeat(256) + "=v", "t".repeat(241) + "@" + "s".repeat(14) + "=v", "k=" + "v".repeat(256))) {
            assertSame(good, W3cTraceContext.validTracestate(good), good);
        }
        StringBuilder thirtyTwo = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            thirtyTwo.append(i == 0 ? "" : ",").append("k").append(i).append("=v");
        }
        assertEquals(thirtyTwo.toString(), W3cTraceContext.validTracestate(thirtyTwo.toString()));
    }

    @Test
    void invalidTracestatesAreDiscarded() {
        for (String bad : List.of("", " ", ",", " , ", // empty
            "foo", "=bar", "foo=", "foo =bar", "foo= ", "Foo=bar", "1foo=bar", "foo.bar=v", "foo=b,ar=", // grammar
            "foo=bar=baz", "foo=ba\u00e9r", "foo=ba\u0001r", // value characters
            "a".repeat(257) + "=v", "k=" + "v".repeat(257), // lengths
            "t".repeat(242) + "@s=v", "t@" + "s".repeat(15) + "=v", "t@1sys=v", "_t@s=v", "t@s@x=v", "@s=v", "t@=v",
            "foo=1,foo=2", "foo=1, bar=2 ,foo=3")) { // a key given twice
            assertNull(W3cTraceContext.validTracestate(bad), bad);
        }
        StringBuilder thirtyThree = new StringBuilder();
        for (int i = 0; i < 33; i++) {
            thirtyThree.append(i == 0 ? "" : ",").append("k").append(i).append("=v");
        }
        assertNull(W3cTraceContext.validTracestate(thirtyThree.toString()), "33 members");
        assertNull(W3cTraceContext.validTracestate("k=" + "v".repeat(255) + ",j=" + "v".repeat(255)), "over 512 chars");
        assertNull(W3cTraceContext.validTracestate(null));
    }

    @Test
    void aServerSpanInheritsOnlyAValidParentAndAValidTracestate() {
        dev.plume.bootstrap.record.RecordingFixture fixture = dev.plume.bootstrap.record.RecordingFixture.standard();
        try {
            // optional whitespace around the header value is not part of it
            Tracer.startSpanFromRemote(0, SpanKind.SERVER, "padded", null, " " + VALID + "\t", "a=1, b=2").end();
            Tracer.startSpanFromRemote(0, SpanKind.SERVER, "bad-state", null, VALID, "A=1").end();
            Tracer.startSpanFromRemote(0, SpanKind.SERVER, "bad-parent", null, VALID.toUpperCase(), "a=1").end();
            List<dev.plume.bootstrap.record.DecodedSpan> spans = fixture.drain();
            assertEquals(3, spans.size());
            assertEquals(0xb7ad6b7169203331L, spans.get(0).parentSpanId());
            assertEquals("a=1, b=2", spans.get(0).traceState());
            assertEquals(0xb7ad6b7169203331L, spans.get(1).parentSpanId());
            assertTrue(spans.get(1).traceState() == null || spans.get(1).traceState().isEmpty());
            assertEquals(0, spans.get(2).parentSpanId());
            assertTrue(spans.get(2).traceState() == null || spans.get(2).traceState().isEmpty());
        } finally {
            Tracer.uninstall();
        }
    }
}
