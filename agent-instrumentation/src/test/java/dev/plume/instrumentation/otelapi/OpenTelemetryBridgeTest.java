package dev.plume.instrumentation.otelapi;

import dev.plume.bootstrap.api.ApiBridge;
import dev.plume.bootstrap.record.SpanRecordReader;
import dev.plume.bootstrap.record.SpanRing;
import dev.plume.bootstrap.trace.HeadSampler;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.SpanLimits;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import dev.plume.bootstrap.trace.W3cTraceContext;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextStorage;
import io.opentelemetry.context.Scope;
import org.agrona.concurrent.MessageHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bridge's objects as the agent makes them (in a loader of their own beside the API, here API 1.0.0 on the test
 * class path), used directly: what the advice in {@code GlobalOpenTelemetry.get()} and {@code ContextStorage.get()}
 * hands the application. Context in both directions, and what the bridge allocates, measured.
 */
class OpenTelemetryBridgeTest {
    private static SpanRing ring;
    private static OpenTelemetry openTelemetry;
    private static ContextStorage storage;
    private final SpanRecordReader reader = new SpanRecordReader();

    @BeforeAll
    static void install() {
        ring = new SpanRing(SpanRing.MIN_CAPACITY * 4);
        Tracer.install(ring, HeadSampler.alwaysOn(), SpanLimits.defaults());
        BridgeFactory factory = new BridgeFactory();
        openTelemetry = (OpenTelemetry) factory.create(ApiBridge.OPEN_TELEMETRY, GlobalOpenTelemetry.class);
        storage = (ContextStorage) factory.create(ApiBridge.STORAGE, ContextStorage.class);
    }

    @AfterAll
    static void uninstall() {
        Tracer.uninstall();
    }

    @Test
    void theBridgesClassesAreDefinedBesideTheApiNotInTheAgent() {
        ClassLoader loader = openTelemetry.getClass().getClassLoader();
        assertEquals("plume-opentelemetry-api-bridge", loader.getName());
        assertSame(OpenTelemetryBridgeTest.class.getClassLoader(), loader.getParent());
        assertSame(loader, storage.getClass().getClassLoader(), "one bridge loader per API loader");
    }

    @Test
    void anApplicationSpanMadeCurrentParentsPlumesSpansAndSeesThemAsCurrent() {
        drain();
        Span app = openTelemetry.getTracer("test", "1").spanBuilder("app").startSpan();
        Context withApp = Context.root().with(app);
        Scope scope = storage.attach(withApp);
        assertSame(withApp, storage.current(), "what the application made current");
        SpanSlot plume = Tracer.startSpan(InstrumentationScope.MANUAL, SpanKind.CLIENT, "plume", null);
        assertEquals(W3cTraceContext.spanIdHex(plume.spanId()),
            Span.fromContext(storage.current()).getSpanContext().getSpanId(), "Span.current() is Plume's span");
        Span.fromContext(storage.current()).setAttribute("set.through.api", "yes");
        plume.end();
        assertSame(withApp, storage.current(), "back to the application's context once Plume's span ends");
        scope.close();
        assertNull(storage.current());
        app.end();

        List<long[]> spans = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Object> attributes = new ArrayList<>();
        MessageHandler handler = (type, buffer, index, length) -> {
            SpanRecordReader r = reader.wrap(buffer, index, length);
            names.add(r.name());
            spans.add(new long[] {r.spanId(), r.parentSpanId(), r.scopeId()});
            for (int i = 0; i < r.attributeCount(); i++) {
                attributes.add(r.attributeKey(i) + "=" + r.attributeValue(i));
            }
        };
        while (ring.read(handler) > 0) {
            // until empty
        }
        assertEquals(List.of("plume", "app"), names);
        assertEquals(spans.get(1)[0], spans.get(0)[1], "Plume's span is the application span's child");
        assertEquals("test", InstrumentationScope.name((int) spans.get(1)[2]));
        assertEquals("1", InstrumentationScope.version((int) spans.get(1)[2]));
        assertTrue(attributes.contains("set.through.api=yes"), attributes.toString());
    }

    @Test
    void baggageMadeCurrentThroughTheApiTravelsWithPlumesSpans() {
        Baggage baggage = Baggage.builder().put("tenant", "acme corp").build();
        try (Scope ignored = storage.attach(Context.root().with(baggage))) {
            SpanSlot plume = Tracer.startSpan(InstrumentationScope.MANUAL, SpanKind.CLIENT, "call", null);
            assertEquals("tenant=acme%20corp", plume.baggage(), "the header Plume's clients send");
            assertEquals("acme corp", Baggage.fromContext(storage.current()).getEntryValue("tenant"));
            plume.end();
        }
        drain();
    }

    /**
     * What the bridge allocates, per call: starting and ending a span through the API; making a context current and
     * closing its scope; {@code Context.current()} under a span of Plume's instrumentation (a view built once per span).
     */
    @Test
    void whatTheBridgeAllocates() throws Exception {
        io.opentelemetry.api.trace.Tracer tracer = openTelemetry.getTracer("alloc");
        AtomicBoolean running = new AtomicBoolean(true);
        Thread drainer = new Thread(() -> {
            while (running.get()) {
                ring.read((type, buffer, index, length) -> { }, 1000);
            }
        });
        drainer.start();
        try {
            long spanBytes = bytesPerCall(() -> tracer.spanBuilder("op").startSpan().end());
            Span held = tracer.spanBuilder("held").startSpan();
            Context context = Context.root().with(held);
            long scopeBytes = bytesPerCall(() -> storage.attach(context).close());
            SpanSlot plume = Tracer.startSpan(InstrumentationScope.MANUAL, SpanKind.SERVER, "server", null);
            Context first = storage.current();
            long currentBytes = bytesPerCall(() -> storage.current());
            assertSame(first, storage.current());
            plume.end();
            held.end();
            SpanSlot next = Tracer.startSpan(InstrumentationScope.MANUAL, SpanKind.SERVER, "server", null);
            assertNotSame(first, storage.current(), "a new span, a new view");
            next.end();
            System.out.println("bridge allocation per call: span start+end " + spanBytes + " B, attach+close "
                + scopeBytes + " B, Context.current() under Plume's span " + currentBytes + " B (first call per span"
                + " builds the view)");
            assertEquals(0, currentBytes, "Context.current() repeated under one span");
            assertTrue(spanBytes < 400, "span start+end through the API: " + spanBytes + " B");
            assertTrue(scopeBytes < 100, "attach+close: " + scopeBytes + " B");
        } finally {
            running.set(false);
            drainer.join();
        }
    }

    private static long bytesPerCall(Runnable call) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 50_000; i++) {
            call.run();
        }
        int calls = 100_000;
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < calls; i++) {
            call.run();
        }
        return (threads.getCurrentThreadAllocatedBytes() - before) / calls;
    }

    private void drain() {
        while (ring.read((type, buffer, index, length) -> { }) > 0) {
            // until empty
        }
    }
}
