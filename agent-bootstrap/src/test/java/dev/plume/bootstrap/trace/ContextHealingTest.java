package dev.plume.bootstrap.trace;

import dev.plume.bootstrap.record.DecodedSpan;
import dev.plume.bootstrap.record.RecordingFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A span whose end is lost (advice that failed after the start, a span handed to a thread that never ends it) must cost
 * that span only: the next request on the same pooled thread gets its own SERVER span with no stale parent.
 */
class ContextHealingTest {
    private static final int SERVER = InstrumentationScope.JDK_HTTP_SERVER;
    private static final int CLIENT = InstrumentationScope.JDK_HTTP_CLIENT;

    @AfterEach
    void uninstall() {
        while (Tracer.currentSpan() != null || Tracer.captureContext() != null) {
            Tracer.detach();
            SpanSlot current = Tracer.currentSpan();
            if (current != null) {
                current.end();
            }
        }
        Tracer.uninstall();
    }

    /** What server advice does: enter the call, start a span at depth 0, and in a finally end it and exit the call. */
    private static void request(String name, Runnable handler) {
        SpanSlot span = Tracer.enterCall(SERVER) == 0 ? Tracer.startSpan(SERVER, SpanKind.SERVER, name, null) : null;
        try {
            handler.run();
        } finally {
            if (span != null) {
                span.end();
            }
            Tracer.exitCall(SERVER);
        }
    }

    @Test
    void aLostEndCostsOneSpanNotTheThread() {
        RecordingFixture fixture = RecordingFixture.standard();
        request("first", () -> Tracer.startSpan(CLIENT, SpanKind.CLIENT, "never ended", null));
        assertNull(Tracer.currentSpan(), "the outermost call's exit left the thread as it found it");

        request("second", () -> Tracer.startSpan(CLIENT, SpanKind.CLIENT, "call", null).end());
        List<DecodedSpan> spans = fixture.drain();
        assertEquals(List.of("first", "call", "second"), spans.stream().map(DecodedSpan::name).toList());
        DecodedSpan first = spans.get(0);
        DecodedSpan call = spans.get(1);
        DecodedSpan second = spans.get(2);
        assertEquals(0, first.parentSpanId());
        assertEquals(0, second.parentSpanId(), "a new trace, not a child of the span that never ended");
        assertEquals(second.spanId(), call.parentSpanId());
        assertEquals(second.traceIdLow(), call.traceIdLow());
    }

    @Test
    void nestingIsTheCallDepthNotTheCurrentSpan() {
        RecordingFixture fixture = RecordingFixture.standard();
        // a filter chain calling itself: only the outermost call makes a span, even with a leaked span current inside
        request("outer", () -> {
            Tracer.startSpan(CLIENT, SpanKind.CLIENT, "leaked", null);
            request("inner", () -> { });
        });
        request("next", () -> { });
        assertEquals(List.of("outer", "next"), fixture.drain().stream().map(DecodedSpan::name).toList());
        assertNull(Tracer.currentSpan());
    }

    @Test
    void endingAnOuterSpanEndsTheContextLeftOpenAboveIt() {
        RecordingFixture fixture = RecordingFixture.standard();
        SpanSlot outer = Tracer.startSpan(0, SpanKind.INTERNAL, "outer", null);
        Tracer.startSpan(0, SpanKind.INTERNAL, "lost", null);
        outer.end();
        assertNull(Tracer.currentSpan(), "no stale span is current after the outer one ended");
        Tracer.startSpan(0, SpanKind.INTERNAL, "later", null).end();
        List<DecodedSpan> spans = fixture.drain();
        assertEquals(List.of("outer", "later"), spans.stream().map(DecodedSpan::name).toList());
        assertEquals(0, spans.get(1).parentSpanId());
    }

    @Test
    void anAttachNeverDetachedIsUnwoundByTheOutermostExit() {
        RecordingFixture fixture = RecordingFixture.standard();
        SpanSlot elsewhere = Tracer.startSpan(0, SpanKind.INTERNAL, "elsewhere", null);
        SpanContext captured = Tracer.captureContext();
        elsewhere.end();
        request("task", () -> Tracer.attach(captured));
        assertNull(Tracer.captureContext(), "the attachment did not outlive the call");
        request("next", () -> { });
        List<DecodedSpan> spans = fixture.drain();
        assertEquals(0, spans.get(spans.size() - 1).parentSpanId());
    }

    @Test
    void whatWasCurrentBeforeTheOutermostCallIsKept() {
        RecordingFixture fixture = RecordingFixture.standard();
        SpanSlot job = Tracer.startSpan(0, SpanKind.INTERNAL, "job", null);
        request("call", () -> Tracer.startSpan(0, SpanKind.INTERNAL, "lost", null));
        assertSame(job, Tracer.currentSpan());
        job.end();
        List<DecodedSpan> spans = fixture.drain();
        assertEquals(List.of("call", "job"), spans.stream().map(DecodedSpan::name).toList());
        assertEquals(spans.get(1).spanId(), spans.get(0).parentSpanId());
    }

    @Test
    void anUnmatchedExitIsHarmless() {
        RecordingFixture.standard();
        Tracer.exitCall(SERVER);
        Tracer.exitCall(1000);
        assertEquals(0, Tracer.enterCall(SERVER));
        Tracer.exitCall(SERVER);
        assertEquals(0, Tracer.enterCall(1000), "scopes beyond today's count grow the table");
        Tracer.exitCall(1000);
    }
}
