package dev.plume.bootstrap.record;

import dev.plume.bootstrap.trace.AttributeKey;
import dev.plume.bootstrap.trace.HeadSampler;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.SpanLimits;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.StatusCode;
import dev.plume.bootstrap.trace.Tracer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpanRecordCodecTest {
    @AfterEach
    void uninstall() {
        Tracer.uninstall();
    }

    @Test
    void everyFieldRoundTrips() {
        RecordingFixture fixture = RecordingFixture.standard();
        SpanSlot parent = Tracer.startSpanFromRemote(InstrumentationScope.JDK_HTTP_SERVER, SpanKind.SERVER, "GET",
            "/orders/{id}", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "vendor=a,other=b");
        parent.setAttribute("http.request.method", "GET")
            .setAttribute("http.response.status_code", 503L)
            .setAttribute("ratio", 0.25)
            .setAttribute("cached", true)
            .setAttribute("greeting", "日本語 テキスト 😀 and ascii")
            .setStatus(StatusCode.ERROR, "upstream unavailable ❌");
        parent.addEvent("retry");
        parent.setEventAttribute("attempt", 2L).setEventAttribute("reason", "timeout");
        parent.recordException(new IllegalStateException("boom"));
        SpanSlot child = Tracer.startSpan(InstrumentationScope.JDK_HTTP_CLIENT, SpanKind.CLIENT, "GET", null);
        child.end();
        parent.end();

        List<DecodedSpan> spans = fixture.drain();
        assertEquals(2, spans.size());
        DecodedSpan c = spans.get(0);
        DecodedSpan p = spans.get(1);

        assertEquals(0x4bf92f3577b34da6L, p.traceIdHigh());
        assertEquals(0xa3ce929d0e0e4736L, p.traceIdLow());
        assertEquals(0x00f067aa0ba902b7L, p.parentSpanId());
        assertTrue(p.parentRemote());
        assertEquals("vendor=a,other=b", p.traceState());
        assertEquals("GET /orders/{id}", p.name());
        assertEquals(SpanKind.SERVER, p.kind());
        assertEquals(InstrumentationScope.JDK_HTTP_SERVER, p.scopeId());
        assertEquals(1, p.traceFlags());
        assertEquals(StatusCode.ERROR, p.statusCode());
        assertEquals("upstream unavailable ❌", p.statusDescription());
        assertEquals(Map.of("http.request.method", "GET", "http.response.status_code", 503L, "ratio", 0.25,
            "cached", true, "greeting", "日本語 テキスト 😀 and ascii"), p.attributes());
        assertTrue(p.start() <= p.end());
        assertEquals(2, p.events().size());
        assertEquals("retry", p.events().get(0).name());
        assertEquals(Map.of("attempt", 2L, "reason", "timeout"), p.events().get(0).attributes());
        DecodedSpan.Event exception = p.events().get(1);
        assertEquals("exception", exception.name());
        assertEquals("java.lang.IllegalStateException", exception.attributes().get("exception.type"));
        assertEquals("boom", exception.attributes().get("exception.message"));
        assertTrue(((String) exception.attributes().get("exception.stacktrace"))
            .startsWith("java.lang.IllegalStateException: boom"));

        assertEquals(p.traceIdHigh(), c.traceIdHigh());
        assertEquals(p.traceIdLow(), c.traceIdLow());
        assertEquals(p.spanId(), c.parentSpanId());
        assertEquals("vendor=a,other=b", c.traceState());
        assertEquals(false, c.parentRemote());
        assertEquals("GET", c.name());
        assertNotEquals(p.spanId(), c.spanId());
        assertTrue(p.start() <= c.start() && c.end() <= p.end());
    }

    @Test
    void limitsTruncateValuesAndCountDrops() {
        RecordingFixture fixture = new RecordingFixture(SpanRing.MIN_CAPACITY, HeadSampler.alwaysOn(),
            new SpanLimits(2, 1, 1, 5));
        SpanSlot span = Tracer.startSpan(0, SpanKind.INTERNAL, "limited", null);
        span.setAttribute("a", "abcdefgh").setAttribute("b", 1L).setAttribute("c", 2L).setAttribute("a", "xyz😀😀");
        span.addEvent("first");
        span.setEventAttribute("k1", "v").setEventAttribute("k2", "v");
        span.addEvent("second");
        span.end();
        DecodedSpan decoded = fixture.drain().get(0);
        // "xyz😀😀" is 7 chars: the cut at 5 would split the second emoji's surrogate pair, so it keeps 4 chars.
        assertEquals(Map.of("a", "xyz😀", "b", 1L), decoded.attributes());
        assertEquals(1, decoded.droppedAttributes());
        assertEquals(1, decoded.events().size());
        assertEquals(1, decoded.droppedEvents());
        assertEquals(Map.of("k1", "v"), decoded.events().get(0).attributes());
        assertEquals(1, decoded.events().get(0).droppedAttributes());
    }

    @Test
    void recordLargerThanTheRingAllowsIsCutDownNotLost() {
        RecordingFixture fixture = RecordingFixture.standard();
        String big = "x".repeat(fixture.ring.maxRecordLength() / 3);
        SpanSlot span = Tracer.startSpan(0, SpanKind.INTERNAL, "huge", null);
        span.setAttribute("small", 1L).setAttribute("big1", big).setAttribute("big2", big).setAttribute("big3", big);
        span.addEvent("e");
        span.setEventAttribute("big", big);
        span.end();
        List<DecodedSpan> spans = fixture.drain();
        assertEquals(1, spans.size());
        DecodedSpan decoded = spans.get(0);
        assertEquals("huge", decoded.name());
        assertEquals(0, decoded.events().size());
        assertEquals(1, decoded.droppedEvents());
        assertEquals(List.of("small", "big1", "big2"), List.copyOf(decoded.attributes().keySet()));
        assertEquals(1, decoded.droppedAttributes());
        assertEquals(1, fixture.ring.cutToFit());
    }

    @Test
    void arrayAttributesOfEveryTypeRoundTripOnSpansAndEvents() {
        RecordingFixture fixture = new RecordingFixture(SpanRing.MIN_CAPACITY, HeadSampler.alwaysOn(),
            new SpanLimits(16, 4, 16, 4));
        SpanSlot span = Tracer.startSpan(0, SpanKind.INTERNAL, "arrays", null);
        span.setAttribute("strings", new String[] {"abcdef", null, "日本語テキスト", ""})
            .setAttribute("longs", new long[] {1, -2, Long.MAX_VALUE, Long.MIN_VALUE})
            .setAttribute("doubles", new double[] {0.5, -0.0, Double.NaN, Double.MAX_VALUE})
            .setAttribute("booleans", new boolean[] {true, false, true})
            .setAttribute("empty", new long[0])
            .setAttribute("ignored", (String[]) null)
            // an array replaces a scalar of the same key and the other way round, keeping its position
            .setAttribute("was.scalar", 7L).setAttribute("was.scalar", new long[] {7, 8})
            .setAttribute("was.array", new String[] {"x"}).setAttribute("was.array", "now a string")
            .setAttribute("scalar", "kept");
        long eventTime = span.startEpochNanos() + 5;
        assertTrue(span.addEvent("with arrays", eventTime));
        span.setEventAttribute("ratio", 0.75).setEventAttribute("ok", false)
            .setEventAttribute("tags", new String[] {"a", "bcdefg"}).setEventAttribute("ids", new long[] {3, 4})
            .setEventAttribute("weights", new double[] {1.5}).setEventAttribute("flags", new boolean[] {false})
            .setEventAttribute("ignored", (long[]) null);
        span.end();

        DecodedSpan decoded = fixture.drain().get(0);
        // the value length limit (4) cuts each string of an array; a null element is an empty string
        assertEquals(Map.of(
                "strings", List.of("abcd", "", "日本語テ", ""),
                "longs", List.of(1L, -2L, Long.MAX_VALUE, Long.MIN_VALUE),
                "doubles", List.of(0.5, -0.0, Double.NaN, Double.MAX_VALUE),
                "booleans", List.of(true, false, true),
                "empty", List.of(),
                "was.scalar", List.of(7L, 8L),
                "was.array", "now ",
                "scalar", "kept"),
            decoded.attributes());
        assertEquals(List.of("strings", "longs", "doubles", "booleans", "empty", "was.scalar", "was.array", "scalar"),
            List.copyOf(decoded.attributes().keySet()));
        assertEquals(0, decoded.droppedAttributes());
        DecodedSpan.Event event = decoded.events().get(0);
        assertEquals(eventTime, event.time());
        assertEquals(Map.of("ratio", 0.75, "ok", false, "tags", List.of("a", "bcde"), "ids", List.of(3L, 4L),
            "weights", List.of(1.5), "flags", List.of(false)), event.attributes());
        // the slot, back in its pool, no longer holds the application's arrays
        assertEquals(null, span.attributes().array(0));
    }

    @Test
    void linksRoundTripWithAttributesOfEveryType() {
        RecordingFixture fixture = RecordingFixture.standard();
        SpanSlot span = Tracer.startSpan(0, SpanKind.CONSUMER, "process", null);
        span.setLinkAttribute("before.any.link", "ignored");
        assertTrue(span.addLink(0x4bf92f3577b34da6L, 0xa3ce929d0e0e4736L, 0x00f067aa0ba902b7L, 1, "vendor=a", true));
        span.setLinkAttribute("messaging.message.id", "m-1").setLinkAttribute("attempt", 3L)
            .setLinkAttribute("score", 0.5).setLinkAttribute("redelivered", true)
            .setLinkAttribute("tags", new String[] {"x", null}).setLinkAttribute("offsets", new long[] {10, 11})
            .setLinkAttribute("weights", new double[] {0.1}).setLinkAttribute("bits", new boolean[] {true});
        assertTrue(span.addLink(1, 2, 3, 0, null, false));
        // an invalid context is ignored, not counted, and takes no attributes from the link before it
        assertFalse(span.addLink(0, 0, 5, 1, null, false));
        assertFalse(span.addLink(1, 2, 0, 1, null, false));
        span.setLinkAttribute("lost", "nowhere");
        span.setAttribute("after", "links");
        span.addEvent("event");
        span.end();

        DecodedSpan decoded = fixture.drain().get(0);
        assertEquals(Map.of("after", "links"), decoded.attributes());
        assertEquals(1, decoded.events().size());
        assertEquals(2, decoded.links().size());
        assertEquals(0, decoded.droppedLinks());
        DecodedSpan.Link first = decoded.links().get(0);
        assertEquals(new DecodedSpan.Link(0x4bf92f3577b34da6L, 0xa3ce929d0e0e4736L, 0x00f067aa0ba902b7L, 1, true,
            "vendor=a", Map.of("messaging.message.id", "m-1", "attempt", 3L, "score", 0.5, "redelivered", true,
            "tags", List.of("x", ""), "offsets", List.of(10L, 11L), "weights", List.of(0.1), "bits", List.of(true)),
            0), first);
        assertEquals(new DecodedSpan.Link(1, 2, 3, 0, false, "", Map.of(), 0), decoded.links().get(1));

        // the next span on this thread reuses the slot: no link, no attribute of the last one survives
        Tracer.startSpan(0, SpanKind.INTERNAL, "next", null).end();
        DecodedSpan next = fixture.drain().get(0);
        assertEquals(List.of(), next.links());
        assertEquals(0, next.droppedLinks());
    }

    @Test
    void linkLimitsDropLinksAndLinkAttributesAndCountThem() {
        RecordingFixture fixture = new RecordingFixture(SpanRing.MIN_CAPACITY, HeadSampler.alwaysOn(),
            new SpanLimits(8, 8, 8, 2, 1, Integer.MAX_VALUE));
        SpanSlot span = Tracer.startSpan(0, SpanKind.INTERNAL, "limited", null);
        assertTrue(span.addLink(1, 1, 1, 1, null, false));
        span.setLinkAttribute("k1", "v").setLinkAttribute("k2", new long[] {1}).setLinkAttribute("k1", "replaced");
        assertTrue(span.addLink(2, 2, 2, 1, null, false));
        assertFalse(span.addLink(3, 3, 3, 1, null, false));
        assertFalse(span.addLink(4, 4, 4, 1, null, false));
        span.setLinkAttribute("belongs.to.a.dropped.link", "ignored");
        span.end();

        DecodedSpan decoded = fixture.drain().get(0);
        assertEquals(2, decoded.links().size());
        assertEquals(2, decoded.droppedLinks());
        assertEquals(Map.of("k1", "replaced"), decoded.links().get(0).attributes());
        assertEquals(1, decoded.links().get(0).droppedAttributes());
        assertEquals(Map.of(), decoded.links().get(1).attributes());
        assertEquals(0, decoded.links().get(1).droppedAttributes());
    }

    @Test
    void aRecordTooLargeDropsLinksBeforeEvents() {
        RecordingFixture fixture = RecordingFixture.standard();
        String big = "x".repeat(fixture.ring.maxRecordLength() / 3);
        SpanSlot span = Tracer.startSpan(0, SpanKind.INTERNAL, "linked", null);
        span.setAttribute("small", 1L);
        span.addEvent("e");
        span.setEventAttribute("k", "v");
        for (int l = 1; l <= 3; l++) {
            span.addLink(l, l, l, 1, null, false);
            span.setLinkAttribute("big", new String[] {big});
        }
        span.end();
        DecodedSpan decoded = fixture.drain().get(0);
        assertEquals(Map.of("small", 1L), decoded.attributes());
        assertEquals(1, decoded.events().size());
        assertEquals(0, decoded.droppedEvents());
        assertEquals(2, decoded.links().size());
        assertEquals(1, decoded.droppedLinks());
        assertEquals(List.of(1L, 2L), decoded.links().stream().map(DecodedSpan.Link::spanId).toList());
        assertEquals(1, fixture.ring.cutToFit());

        // when dropping every link is not enough, events go next, then attributes
        SpanSlot huge = Tracer.startSpan(0, SpanKind.INTERNAL, "huge", null);
        huge.setAttribute("big1", big).setAttribute("big2", big);
        huge.addEvent("e");
        huge.setEventAttribute("big", big);
        huge.addLink(1, 1, 1, 1, null, false);
        huge.setLinkAttribute("big", big);
        huge.addLink(2, 2, 2, 1, null, false);
        huge.end();
        DecodedSpan cut = fixture.drain().get(0);
        assertEquals(List.of(), cut.links());
        assertEquals(2, cut.droppedLinks());
        assertEquals(0, cut.events().size());
        assertEquals(1, cut.droppedEvents());
        assertEquals(List.of("big1", "big2"), List.copyOf(cut.attributes().keySet()));
        assertEquals(2, fixture.ring.cutToFit());
    }

    @Test
    void anArrayLongerThanItsRecordIsRejectedAsMalformed() {
        RecordingFixture fixture = RecordingFixture.standard();
        SpanSlot span = Tracer.startSpan(0, SpanKind.INTERNAL, "n", null);
        span.setAttribute("a", new long[] {1, 2});
        span.end();
        SpanRecordReader reader = new SpanRecordReader();
        int[] seen = new int[1];
        fixture.ring.read((type, buffer, index, length) -> {
            // header, the name "n", two empty strings, the key "a" and the type byte: then the element count
            int countIndex = index + SpanRecordCodec.HEADER_LENGTH + (4 + 1) + 4 + 4 + (4 + 1) + 1;
            assertEquals(2, buffer.getInt(countIndex));
            ((org.agrona.MutableDirectBuffer) buffer).putInt(countIndex, Integer.MAX_VALUE);
            IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> reader.wrap(buffer, index, length));
            assertTrue(error.getMessage().contains("truncated"), error.getMessage());
            seen[0]++;
        });
        assertEquals(1, seen[0]);
    }

    @Test
    void loneSurrogatesAreWrittenAsReplacementNotCorrupted() {
        RecordingFixture fixture = RecordingFixture.standard();
        SpanSlot span = Tracer.startSpan(0, SpanKind.INTERNAL, "s", null);
        span.setAttribute("lone", "a\uD800b\uDC00c");
        span.end();
        assertEquals("a?b?c", fixture.drain().get(0).attributes().get("lone"));
    }

    @Test
    void registeredKeysTravelAsIdsAndReadBackAsTheirNames() {
        RecordingFixture fixture = RecordingFixture.standard();
        AttributeKey method = AttributeKey.of("http.request.method");
        AttributeKey status = AttributeKey.of("http.response.status_code");
        assertSame(method, AttributeKey.of("http.request.method"), "equal names give the same key");

        SpanSlot registered = Tracer.startSpan(0, SpanKind.SERVER, "GET", "/r");
        registered.setAttribute(method, "GET").setAttribute(status, 200L)
            .setAttribute(AttributeKey.of("ratio.ключ"), 0.5).setAttribute(AttributeKey.of("cached"), true)
            .setAttribute("plain", "string key")
            // one attribute whichever way its key is given: the last value wins
            .setAttribute("override", "first").setAttribute(AttributeKey.of("override"), "second");
        registered.addEvent("event");
        registered.setEventAttribute(AttributeKey.of("reason"), "timeout").setEventAttribute("attempt", 2L);
        registered.end();

        SpanSlot plain = Tracer.startSpan(0, SpanKind.SERVER, "GET", "/r");
        plain.setAttribute("http.request.method", "GET").setAttribute("http.response.status_code", 200L);
        long plainLength = SpanRecordCodec.plannedLength(SpanRecordCodec.plan(plain, Integer.MAX_VALUE));
        plain.end();

        List<DecodedSpan> spans = fixture.drain();
        DecodedSpan decoded = spans.get(0);
        assertEquals(Map.of("http.request.method", "GET", "http.response.status_code", 200L, "ratio.ключ", 0.5,
            "cached", true, "plain", "string key", "override", "second"), decoded.attributes());
        assertEquals(Map.of("reason", "timeout", "attempt", 2L), decoded.events().get(0).attributes());
        assertEquals(Map.of("http.request.method", "GET", "http.response.status_code", 200L),
            spans.get(1).attributes());

        SpanSlot two = Tracer.startSpan(0, SpanKind.SERVER, "GET", "/r");
        two.setAttribute(method, "GET").setAttribute(status, 200L);
        long twoRegistered = SpanRecordCodec.plannedLength(SpanRecordCodec.plan(two, Integer.MAX_VALUE));
        two.end();
        // each registered key is 4 bytes instead of 4 + its UTF-8
        assertEquals(plainLength - "http.request.method".length() - "http.response.status_code".length(),
            twoRegistered);
    }

    @Test
    void aRecordNamingAnUnknownKeyIdIsRejectedAsMalformed() {
        RecordingFixture fixture = RecordingFixture.standard();
        SpanSlot span = Tracer.startSpan(0, SpanKind.INTERNAL, "n", null);
        span.setAttribute(AttributeKey.of("known"), 1L);
        int knownId = span.attributes().keyId(0);
        span.end();
        SpanRecordReader reader = new SpanRecordReader();
        int[] seen = new int[1];
        fixture.ring.read((type, buffer, index, length) -> {
            // the first key follows the header, the name "n" and two empty strings
            int keyIndex = index + SpanRecordCodec.HEADER_LENGTH + (4 + 1) + 4 + 4;
            assertEquals(-1 - knownId, buffer.getInt(keyIndex));
            ((org.agrona.MutableDirectBuffer) buffer).putInt(keyIndex, -1 - KeyTable.MAX_KEYS);
            IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> reader.wrap(buffer, index, length));
            assertTrue(error.getMessage().contains("unknown attribute key id"), error.getMessage());
            seen[0]++;
        });
        assertEquals(1, seen[0]);
    }
}
