package dev.plume.bootstrap.methods;

import dev.plume.bootstrap.record.DecodedSpan;
import dev.plume.bootstrap.record.RecordingFixture;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.StatusCode;
import dev.plume.bootstrap.trace.Tracer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the advice of a woven method does, called as the woven code calls it, and the spans that come out. */
class MethodSpansTest {
    @AfterEach
    void uninstall() {
        Tracer.uninstall();
    }

    @Test
    void aSynchronousMethodsSpanIsCurrentWhileItRunsAndAThrowMakesItAnError() {
        RecordingFixture fixture = RecordingFixture.standard();
        int method = MethodSpans.register(InstrumentationScope.ANNOTATIONS, "Orders.place", SpanKind.CLIENT, true,
            "shop.Orders$Online", "place", null, null);
        SpanSlot outer = Tracer.startSpan(InstrumentationScope.MANUAL, SpanKind.SERVER, "request", null);
        SpanSlot span = MethodSpans.start(method);
        assertSame(span, Tracer.currentSpan());
        MethodSpans.end(span, new InvocationTargetException(new IllegalStateException("no stock")));
        assertSame(outer, Tracer.currentSpan());
        outer.end();

        List<DecodedSpan> spans = fixture.drain();
        DecodedSpan placed = spans.get(0);
        assertEquals("Orders.place", placed.name());
        assertEquals(SpanKind.CLIENT, placed.kind());
        assertEquals(InstrumentationScope.ANNOTATIONS, placed.scopeId());
        assertEquals(spans.get(1).spanId(), placed.parentSpanId());
        assertEquals(StatusCode.ERROR, placed.statusCode());
        assertEquals(1, placed.events().size());
        assertEquals("exception", placed.events().get(0).name());
        // the wrapper is unwrapped, as the OpenTelemetry agent records it
        assertEquals(IllegalStateException.class.getName(),
            placed.events().get(0).attributes().get("exception.type"));
        assertEquals("no stock", placed.events().get(0).attributes().get("exception.message"));
        assertEquals(Map.of("code.namespace", "shop.Orders$Online", "code.function", "place"), placed.attributes(),
            "the source code attributes the OpenTelemetry agent sets");
    }

    @Test
    void aMethodThatDoesNotInheritTheContextStartsANewTraceAndItsChildrenJoinIt() {
        RecordingFixture fixture = RecordingFixture.standard();
        int root = MethodSpans.register(InstrumentationScope.ANNOTATIONS, "Jobs.run", SpanKind.INTERNAL, false,
            null, null, null, null);
        int child = MethodSpans.register(InstrumentationScope.METHODS, "Jobs.step", SpanKind.INTERNAL, true,
            null, null, null, null);
        SpanSlot outer = Tracer.startSpan(InstrumentationScope.MANUAL, SpanKind.SERVER, "request", null);
        SpanSlot run = MethodSpans.start(root);
        MethodSpans.end(MethodSpans.start(child), null);
        MethodSpans.end(run, null);
        assertSame(outer, Tracer.currentSpan());
        outer.end();

        List<DecodedSpan> spans = fixture.drain();
        DecodedSpan step = spans.get(0);
        DecodedSpan job = spans.get(1);
        DecodedSpan request = spans.get(2);
        assertEquals(0, job.parentSpanId());
        assertTrue(job.traceIdLow() != request.traceIdLow() || job.traceIdHigh() != request.traceIdHigh());
        assertEquals(job.spanId(), step.parentSpanId());
        assertEquals(job.traceIdLow(), step.traceIdLow());
        assertEquals(InstrumentationScope.METHODS, step.scopeId());
    }

    @Test
    void argumentsBecomeAttributesTypedByTheirParametersDeclaredTypes() {
        RecordingFixture fixture = RecordingFixture.standard();
        String[] names = {"s", "l", "i", "d", "f", "b", "o", "skipped", "nothing", "sa", "la", "ia", "da", "fa",
            "ba", "boxed", "boxedDecimal", "boxedBoolean", "objects", "strings", "integers", "decimals", "booleans",
            "list", null};
        byte[] types = {ArgumentAttribute.STRING, ArgumentAttribute.LONG, ArgumentAttribute.INT,
            ArgumentAttribute.DOUBLE, ArgumentAttribute.FLOAT, ArgumentAttribute.BOOLEAN, ArgumentAttribute.TO_STRING,
            ArgumentAttribute.NONE, ArgumentAttribute.STRING, ArgumentAttribute.STRING_ARRAY,
            ArgumentAttribute.LONG_ARRAY, ArgumentAttribute.INT_ARRAY, ArgumentAttribute.DOUBLE_ARRAY,
            ArgumentAttribute.FLOAT_ARRAY, ArgumentAttribute.BOOLEAN_ARRAY, ArgumentAttribute.BOXED_INTEGER_ARRAY,
            ArgumentAttribute.BOXED_DECIMAL_ARRAY, ArgumentAttribute.BOXED_BOOLEAN_ARRAY,
            ArgumentAttribute.OBJECT_ARRAY, ArgumentAttribute.STRING_LIST, ArgumentAttribute.INTEGER_LIST,
            ArgumentAttribute.DECIMAL_LIST, ArgumentAttribute.BOOLEAN_LIST, ArgumentAttribute.OBJECT_LIST,
            ArgumentAttribute.STRING};
        int method = MethodSpans.register(InstrumentationScope.ANNOTATIONS, "Shop.buy", SpanKind.INTERNAL, true,
            null, null, names, types);
        String[] tags = {"a", null, "c"};
        Object[] arguments = {"book", 3L, 7, 2.5, 1.5f, true, Map.of("k", 1), new byte[] {1}, null, tags,
            new long[] {1, 2}, new int[] {3}, new double[] {0.5}, new float[] {0.25f}, new boolean[] {true, false},
            new Integer[] {4, null}, new Float[] {0.5f}, new Boolean[] {true, null}, new Object[] {1, "x", null},
            List.of("p", "q"), List.of(5, 6L), List.of(1.5), List.of(false), Arrays.asList(new StringBuilder("sb"),
            null), "unnamed"};
        MethodSpans.end(MethodSpans.start(method, arguments), null);
        tags[0] = "changed after the call";

        Map<String, Object> attributes = fixture.drain().get(0).attributes();
        assertEquals("book", attributes.get("s"));
        assertEquals(3L, attributes.get("l"));
        assertEquals(7L, attributes.get("i"));
        assertEquals(2.5, attributes.get("d"));
        assertEquals(1.5, attributes.get("f"));
        assertEquals(true, attributes.get("b"));
        assertEquals("{k=1}", attributes.get("o"));
        assertFalse(attributes.containsKey("skipped"));
        assertFalse(attributes.containsKey("nothing"), "a null argument sets nothing");
        assertEquals(List.of("a", "", "c"), attributes.get("sa"));
        assertEquals(List.of(1L, 2L), attributes.get("la"));
        assertEquals(List.of(3L), attributes.get("ia"));
        assertEquals(List.of(0.5), attributes.get("da"));
        assertEquals(List.of(0.25), attributes.get("fa"));
        assertEquals(List.of(true, false), attributes.get("ba"));
        assertEquals(List.of(4L, 0L), attributes.get("boxed"));
        assertEquals(List.of(0.5), attributes.get("boxedDecimal"));
        assertEquals(List.of(true, false), attributes.get("boxedBoolean"));
        assertEquals(List.of("1", "x", ""), attributes.get("objects"));
        assertEquals(List.of("p", "q"), attributes.get("strings"));
        assertEquals(List.of(5L, 6L), attributes.get("integers"));
        assertEquals(List.of(1.5), attributes.get("decimals"));
        assertEquals(List.of(false), attributes.get("booleans"));
        assertEquals(List.of("sb", ""), attributes.get("list"));
        assertEquals(22, attributes.size(), attributes::toString);
    }

    @Test
    void anArgumentWhoseStringThrowsIsLeftOutAndTheSpanStillEnds() {
        RecordingFixture fixture = RecordingFixture.standard();
        int method = MethodSpans.register(InstrumentationScope.ANNOTATIONS, "A.b", SpanKind.INTERNAL, true, null, null,
            new String[] {"bad", "good"}, new byte[] {ArgumentAttribute.TO_STRING, ArgumentAttribute.STRING});
        Object bad = new Object() {
            @Override
            public String toString() {
                throw new IllegalStateException("no string");
            }
        };
        SpanSlot span = MethodSpans.start(method, new Object[] {bad, "fine"});
        assertSame(span, Tracer.currentSpan());
        MethodSpans.end(span, null);
        assertNull(Tracer.currentSpan());
        assertEquals(Map.of("good", "fine"), fixture.drain().get(0).attributes());
    }

    @Test
    void anAsyncMethodsSpanParentsWhatTheMethodStartsAndEndsWhenItsResultCompletesOnAnotherThread()
        throws Exception {
        RecordingFixture fixture = RecordingFixture.standard();
        int async = MethodSpans.register(InstrumentationScope.ANNOTATIONS, "Mail.send", SpanKind.PRODUCER, true,
            null, null, null, null);
        int nested = MethodSpans.register(InstrumentationScope.METHODS, "Mail.render", SpanKind.INTERNAL, true,
            null, null, null, null);
        SpanSlot outer = Tracer.startSpan(InstrumentationScope.MANUAL, SpanKind.SERVER, "request", null);
        SpanSlot span = MethodSpans.startAsync(async);
        assertNotSame(span, Tracer.currentSpan(), "detached: never the thread's current span");
        MethodSpans.end(MethodSpans.start(nested), null);
        CompletableFuture<String> pending = new CompletableFuture<>();
        Object returned = MethodSpans.endAsync(span, pending, null);
        assertSame(outer, Tracer.currentSpan(), "the method's context is detached at its exit");
        outer.end();
        assertEquals(2, fixture.drain().size(), "the async span is still open: only the nested span and the request");

        List<Long> completedAt = new ArrayList<>();
        Thread completer = new Thread(() -> {
            completedAt.add(System.currentTimeMillis());
            pending.completeExceptionally(new IllegalArgumentException("bounced"));
        });
        completer.start();
        completer.join();
        CompletionStage<?> stage = (CompletionStage<?>) returned;
        assertTrue(stage.toCompletableFuture().isCompletedExceptionally());

        DecodedSpan sent = fixture.drain().get(0);
        assertEquals("Mail.send", sent.name());
        assertEquals(SpanKind.PRODUCER, sent.kind());
        assertEquals(StatusCode.ERROR, sent.statusCode());
        assertEquals(IllegalArgumentException.class.getName(),
            sent.events().get(0).attributes().get("exception.type"));
        assertTrue(sent.end() / 1_000_000 >= completedAt.get(0), "ended at completion, not at return");
    }

    @Test
    void anAsyncMethodsNestedSpanIsItsChild() {
        RecordingFixture fixture = RecordingFixture.standard();
        int async = MethodSpans.register(InstrumentationScope.ANNOTATIONS, "Mail.send", SpanKind.INTERNAL, true,
            null, null, null, null);
        int nested = MethodSpans.register(InstrumentationScope.METHODS, "Mail.render", SpanKind.INTERNAL, true,
            null, null, null, null);
        SpanSlot span = MethodSpans.startAsync(async);
        MethodSpans.end(MethodSpans.start(nested), null);
        CompletableFuture<String> done = CompletableFuture.completedFuture("sent");
        assertSame(done, MethodSpans.endAsync(span, done, null), "a completed result is handed back as it is");
        List<DecodedSpan> spans = fixture.drain();
        DecodedSpan render = spans.get(0);
        DecodedSpan send = spans.get(1);
        assertEquals(send.spanId(), render.parentSpanId());
        assertEquals(StatusCode.UNSET, send.statusCode());
        assertNull(Tracer.currentSpan());
    }

    @Test
    void anAsyncMethodFailingWithACompletionExceptionRecordsItsCause() {
        RecordingFixture fixture = RecordingFixture.standard();
        int async = MethodSpans.register(InstrumentationScope.ANNOTATIONS, "A.b", SpanKind.INTERNAL, true,
            null, null, null, null);
        CompletableFuture<String> pending = new CompletableFuture<>();
        CompletionStage<?> returned = (CompletionStage<?>) MethodSpans.endAsync(MethodSpans.startAsync(async),
            (CompletionStage<String>) pending, null);
        pending.completeExceptionally(new CompletionException(new UnsupportedOperationException("later")));
        assertTrue(returned.toCompletableFuture().isDone());
        DecodedSpan span = fixture.drain().get(0);
        assertEquals(UnsupportedOperationException.class.getName(),
            span.events().get(0).attributes().get("exception.type"));
    }

    @Test
    void nothingIsRecordedForAnUnknownIndexOrBeforeInstall() {
        assertNull(MethodSpans.start(Integer.MAX_VALUE));
        int method = MethodSpans.register(InstrumentationScope.ANNOTATIONS, "A.b", SpanKind.INTERNAL, true,
            null, null, null, null);
        assertNull(MethodSpans.start(method));
        assertNull(MethodSpans.startAsync(method));
        Object result = new Object();
        assertSame(result, MethodSpans.endAsync(null, result, null));
        assertEquals("A.b", MethodSpans.name(method));
    }
}
