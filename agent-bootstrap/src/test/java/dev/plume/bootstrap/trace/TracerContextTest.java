package dev.plume.bootstrap.trace;

import dev.plume.bootstrap.config.PlumeConfig;
import dev.plume.bootstrap.record.DecodedSpan;
import dev.plume.bootstrap.record.RecordingFixture;
import dev.plume.bootstrap.record.SpanRing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TracerContextTest {
    @AfterEach
    void uninstall() {
        Tracer.uninstall();
    }

    @Test
    void nothingIsRecordedBeforeInstall() {
        Tracer.uninstall();
        assertNull(Tracer.startSpan(0, SpanKind.INTERNAL, "x", null));
    }

    @Test
    void nestedSpansFormATreeAndContextUnwindsEvenWhenTheApplicationThrows() {
        RecordingFixture fixture = RecordingFixture.standard();
        SpanSlot outer = Tracer.startSpan(0, SpanKind.SERVER, "outer", null);
        assertThrows(IllegalStateException.class, () -> tracedCallThatThrows());
        assertSame(outer, Tracer.currentSpan(), "the inner span's end restored the outer context");
        outer.end();
        assertNull(Tracer.currentSpan());

        List<DecodedSpan> spans = fixture.drain();
        DecodedSpan inner = spans.get(0);
        DecodedSpan root = spans.get(1);
        assertEquals(0, root.parentSpanId());
        assertEquals(root.spanId(), inner.parentSpanId());
        assertEquals(root.traceIdLow(), inner.traceIdLow());
        assertEquals(StatusCode.ERROR, inner.statusCode());
        assertTrue((root.traceIdHigh() | root.traceIdLow()) != 0);
    }

    @Test
    void threadDetailsAreTheStartingThreadsWhenAskedFor() throws Exception {
        RecordingFixture fixture = RecordingFixture.standard();
        Tracer.addThreadDetails(true);
        try {
            Tracer.startSpan(0, SpanKind.INTERNAL, "with", null).end();
            SpanSlot[] detached = new SpanSlot[1];
            Thread starter = new Thread(() -> detached[0] = Tracer.startDetachedSpan(0, SpanKind.CLIENT, "async", null),
                "the-starter");
            starter.start();
            starter.join();
            detached[0].end();
        } finally {
            Tracer.addThreadDetails(false);
        }
        Tracer.startSpan(0, SpanKind.INTERNAL, "without", null).end();
        List<DecodedSpan> spans = fixture.drain();
        assertEquals(Thread.currentThread().getId(), spans.get(0).attributes().get("thread.id"));
        assertEquals(Thread.currentThread().getName(), spans.get(0).attributes().get("thread.name"));
        assertEquals("the-starter", spans.get(1).attributes().get("thread.name"));
        assertFalse(spans.get(2).attributes().containsKey("thread.id"));
    }

    /** What advice does around a method: start, and end in a finally. */
    private static void tracedCallThatThrows() {
        SpanSlot span = Tracer.startSpan(0, SpanKind.INTERNAL, "inner", null);
        try {
            throw new IllegalStateException("application failure");
        } catch (IllegalStateException e) {
            span.setStatus(StatusCode.ERROR, e.getMessage());
            throw e;
        } finally {
            span.end();
        }
    }

    @Test
    void poolGrowsToTheDeepestNestingAndNoFurther() {
        RecordingFixture fixture = RecordingFixture.standard();
        ThreadState state = ThreadState.current();
        int before = state.slotsCreated();
        for (int round = 0; round < 1000; round++) {
            SpanSlot a = Tracer.startSpan(0, SpanKind.INTERNAL, "a", null);
            SpanSlot b = Tracer.startSpan(0, SpanKind.INTERNAL, "b", null);
            SpanSlot c = Tracer.startSpan(0, SpanKind.INTERNAL, "c", null);
            c.end();
            b.end();
            a.end();
            fixture.drain();
        }
        assertTrue(state.slotsCreated() - before <= 3, "created " + (state.slotsCreated() - before));
    }

    @Test
    void contextIsHandedToAnotherThreadAndRestoredAfterwards() throws Exception {
        RecordingFixture fixture = RecordingFixture.standard();
        SpanSlot request = Tracer.startSpan(0, SpanKind.SERVER, "request", null);
        SpanContext captured = Tracer.captureContext();
        AtomicReference<SpanSlot> currentAfter = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            Tracer.attach(captured);
            try {
                Tracer.startSpan(0, SpanKind.INTERNAL, "task", null).end();
            } finally {
                Tracer.detach();
            }
            currentAfter.set(Tracer.currentSpan());
            assertNull(Tracer.captureContext());
        });
        worker.start();
        worker.join();
        request.end();
        assertNull(currentAfter.get());
        List<DecodedSpan> spans = fixture.drain();
        DecodedSpan task = spans.get(0);
        DecodedSpan root = spans.get(1);
        assertEquals("task", task.name());
        assertEquals(root.spanId(), task.parentSpanId());
        assertEquals(root.traceIdHigh(), task.traceIdHigh());
    }

    @Test
    void detachedSpanEndsOnAnotherThreadWithoutDisturbingEitherThreadsContext() throws Exception {
        RecordingFixture fixture = RecordingFixture.standard();
        SpanSlot parent = Tracer.startSpan(0, SpanKind.SERVER, "parent", null);
        SpanSlot async = Tracer.startDetachedSpan(0, SpanKind.CLIENT, "async", null);
        assertSame(parent, Tracer.currentSpan());
        Thread completer = new Thread(async::end);
        completer.start();
        completer.join();
        parent.end();
        List<DecodedSpan> spans = fixture.drain();
        assertEquals(2, spans.size());
        assertEquals("async", spans.get(0).name());
        assertEquals(spans.get(1).spanId(), spans.get(0).parentSpanId());
    }

    @Test
    void unsampledSpansPropagateContextButRecordNothing() {
        PlumeConfig config = PlumeConfig.of(Map.of("otel.traces.sampler", "always_off"), Map.of(), w -> { });
        RecordingFixture fixture = new RecordingFixture(SpanRing.MIN_CAPACITY, HeadSampler.from(config),
            SpanLimits.defaults());
        SpanSlot span = Tracer.startSpan(0, SpanKind.SERVER, "dropped", null);
        assertNotNull(span);
        assertFalse(span.isRecording());
        span.setAttribute("ignored", "value");
        String traceparent = span.traceparent();
        assertTrue(traceparent.endsWith("-00"), traceparent);
        span.end();
        assertEquals(0, fixture.drain().size());
    }

    @Test
    void detachedSlotsAreReusedOnceEndedAndEndOnlyOnce() throws Exception {
        RecordingFixture fixture = RecordingFixture.standard();
        SpanSlot first = Tracer.startDetachedSpan(0, SpanKind.CLIENT, "first", null);
        Thread other = new Thread(first::end); // ended on another thread, as an async client's callback does
        other.start();
        other.join();
        first.end(); // a second end is ignored: the slot went back to the pool once
        SpanSlot second = Tracer.startDetachedSpan(0, SpanKind.CLIENT, "second", null);
        SpanSlot third = Tracer.startDetachedSpan(0, SpanKind.CLIENT, "third", null);
        assertSame(first, second, "the ended slot is taken again");
        assertNotSame(second, third, "the pool held it once");
        second.end();
        third.end();
        List<String> names = new ArrayList<>();
        for (DecodedSpan span : fixture.drain()) {
            names.add(span.name());
        }
        assertEquals(List.of("first", "second", "third"), names);
    }

    @Test
    void parentBasedSamplingFollowsTheRemoteParentsFlag() {
        RecordingFixture fixture = RecordingFixture.standard();
        SpanSlot notSampled = Tracer.startSpanFromRemote(0, SpanKind.SERVER, "n", null,
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", null);
        assertFalse(notSampled.isRecording());
        SpanSlot child = Tracer.startSpan(0, SpanKind.CLIENT, "c", null);
        assertFalse(child.isRecording());
        child.end();
        notSampled.end();
        assertEquals(0, fixture.drain().size());
    }

    @Test
    void malformedTraceparentStartsANewTrace() {
        RecordingFixture fixture = RecordingFixture.standard();
        List<String> bad = new ArrayList<>(List.of("", "garbage", "00-zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"));
        bad.add(null);
        for (String header : bad) {
            SpanSlot span = Tracer.startSpanFromRemote(0, SpanKind.SERVER, "s", null, header, "k=v");
            span.end();
        }
        for (DecodedSpan span : fixture.drain()) {
            assertEquals(0, span.parentSpanId());
            assertFalse(span.parentRemote());
            assertNull(emptyToNull(span.traceState()));
            assertTrue((span.traceIdHigh() | span.traceIdLow()) != 0);
        }
    }

    @Test
    void futureTraceparentVersionsAreAcceptedByTheirVersion00Prefix() {
        assertTrue(W3cTraceContext.isValid("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future"));
        assertFalse(W3cTraceContext.isValid("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x"));
        assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            W3cTraceContext.format(0x4bf92f3577b34da6L, 0xa3ce929d0e0e4736L, 0x00f067aa0ba902b7L, 1));
    }

    @Test
    void traceIdRatioSamplingIsAFunctionOfTheTraceId() {
        PlumeConfig config = PlumeConfig.of(Map.of("otel.traces.sampler", "traceidratio",
            "otel.traces.sampler.arg", "0.25"), Map.of(), w -> { });
        HeadSampler sampler = HeadSampler.from(config);
        int sampled = 0;
        java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        for (int i = 0; i < 100_000; i++) {
            long low = random.nextLong();
            boolean first = sampler.shouldSample(false, false, low);
            assertEquals(first, sampler.shouldSample(false, false, low));
            if (first) {
                sampled++;
            }
        }
        assertTrue(sampled > 24_000 && sampled < 26_000, "sampled " + sampled);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
