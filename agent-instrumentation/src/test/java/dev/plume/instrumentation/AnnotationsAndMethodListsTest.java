package dev.plume.instrumentation;

import dev.plume.bootstrap.config.PlumeConfig;
import dev.plume.bootstrap.record.SpanRecordReader;
import dev.plume.bootstrap.record.SpanRing;
import dev.plume.bootstrap.trace.HeadSampler;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.SpanLimits;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.StatusCode;
import dev.plume.bootstrap.trace.Tracer;
import dev.plume.instrumentation.annotations.AnnotationsInstrumentation;
import dev.plume.instrumentation.matching.IgnoredTypes;
import dev.plume.instrumentation.methods.MethodsInstrumentation;
import dev.plume.instrumentation.weave.WovenLoader;
import org.agrona.concurrent.MessageHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code @WithSpan} and {@code otel.instrumentation.methods.include} through the agent's own transformer (matching by
 * annotation descriptor and by supertype, the annotations read from the class files, the weave), on fixture classes
 * defined from the woven bytes (so the JVM verifies every frame) and called with a live tracer: the spans that come
 * out of the ring are what the OpenTelemetry agent makes for the same code.
 */
class AnnotationsAndMethodListsTest {
    private static final String PACKAGE = "dev.plume.testapp.traced.";
    private static final List<String> FIXTURES = List.of("Traced", "Traced$1", "Traced$Inner", "Greeter",
        "FriendlyGreeter", "AbstractWorker", "Worker");
    private static final List<String> WARNINGS = new ArrayList<>();
    private static final PlumeConfig CONFIG = PlumeConfig.of(Map.of(
        "otel.instrumentation.methods.include", PACKAGE + "Greeter[greet];" + PACKAGE + "AbstractWorker[*];"
            + PACKAGE + "FriendlyGreeter[greetLater];not a class[x]",
        "otel.instrumentation.opentelemetry-instrumentation-annotations.exclude-methods", PACKAGE + "Traced[excluded]"),
        Map.of(), WARNINGS::add);
    private static final Map<String, Boolean> REWRITTEN = new LinkedHashMap<>();
    private static ClassLoader woven;
    private static SpanRing ring;
    private final SpanRecordReader reader = new SpanRecordReader();

    @BeforeAll
    static void weave() throws IOException {
        MatchingTransformer transformer = new MatchingTransformer(null, List.of(
            AnnotationsInstrumentation.instrumentationAnnotations(CONFIG),
            AnnotationsInstrumentation.extensionAnnotations(CONFIG), new MethodsInstrumentation(CONFIG)),
            IgnoredTypes.excluding(List.of()));
        ClassLoader source = AnnotationsAndMethodListsTest.class.getClassLoader();
        Map<String, byte[]> classes = new HashMap<>();
        for (String simple : FIXTURES) {
            String name = PACKAGE + simple;
            byte[] original = classFile(name);
            byte[] bytes = transformer.transform(null, source, name.replace('.', '/'), null, null, original);
            REWRITTEN.put(simple, bytes != null);
            classes.put(name, bytes != null ? bytes : original);
        }
        assertEquals(0, transformer.failedCount());
        woven = new WovenLoader(classes);
        ring = new SpanRing(SpanRing.MIN_CAPACITY * 2);
    }

    @AfterAll
    static void uninstall() {
        Tracer.uninstall();
    }

    @BeforeEach
    void install() {
        Tracer.install(ring, HeadSampler.alwaysOn(), SpanLimits.defaults());
        drain();
    }

    @Test
    void onlyTheClassesWithAnnotatedOrListedMethodsAreRewrittenAndABadListEntryIsReported() {
        assertEquals(Map.of("Traced", true, "Traced$1", true, "Traced$Inner", true, "Greeter", false,
            "FriendlyGreeter", true, "AbstractWorker", true, "Worker", true), REWRITTEN);
        assertEquals(1, WARNINGS.size(), WARNINGS::toString);
        assertTrue(WARNINGS.get(0).contains("otel.instrumentation.methods.include")
            && WARNINGS.get(0).contains("not a class[x]"), WARNINGS.get(0));
    }

    @Test
    void aSpanPerCallNamedAsTheAgentNamesIt() throws Exception {
        Object traced = newInstance("Traced");
        assertEquals("x", call(traced, "plain", "x"));
        call(traced, "named");
        call(traced, "client");
        call(traced, "old", "v");
        call(traced, "oldDefault");
        call(traced, "excluded");
        call(traced, "notAnnotated");
        assertEquals("got", ((Supplier<?>) traced).get());
        ((Runnable) call(traced, "anonymous")).run();
        call(newInstance("Traced$Inner"), "inside");
        List<Span> spans = drain();
        assertEquals(List.of("Traced.plain", "custom-name", "Traced.client", "old-style", "Traced.oldDefault",
            "Traced.get", "Traced$1.run", "Inner.inside"), spans.stream().map(Span::name).toList(),
            "excluded, notAnnotated and the bridge method make none");
        assertEquals(SpanKind.INTERNAL, spans.get(0).kind());
        assertEquals(InstrumentationScope.ANNOTATIONS, spans.get(0).scopeId());
        assertEquals(SpanKind.CLIENT, spans.get(2).kind());
        assertEquals(SpanKind.SERVER, spans.get(3).kind());
        assertEquals(Map.of("old.attribute", "v", "code.namespace", PACKAGE + "Traced", "code.function", "old"),
            spans.get(3).attributes());
        assertEquals(Map.of("code.namespace", PACKAGE + "Traced", "code.function", "plain"), spans.get(0).attributes(),
            "the source code attributes, as the OpenTelemetry agent sets them");
        assertEquals(PACKAGE + "Traced$1", spans.get(6).attributes().get("code.namespace"));
        assertEquals(InstrumentationScope.ANNOTATIONS, spans.get(3).scopeId());
    }

    @Test
    void aThrowIsAnErrorWithAnExceptionEventAndReachesTheCallerUnchanged() throws Exception {
        Object traced = newInstance("Traced");
        InvocationTargetException thrown = assertThrows(InvocationTargetException.class,
            () -> call(traced, "fails", "out of stock"));
        assertEquals(IllegalStateException.class, thrown.getCause().getClass());
        assertEquals("out of stock", thrown.getCause().getMessage());
        Span span = drain().get(0);
        assertEquals("Traced.fails", span.name());
        assertEquals(StatusCode.ERROR, span.statusCode());
        assertEquals(List.of("exception"), span.events());
        assertEquals(IllegalStateException.class.getName(), span.eventAttributes().get("exception.type"));
        assertEquals("out of stock", span.eventAttributes().get("exception.message"));
    }

    @Test
    void inheritContextFalseStartsANewTraceWhoseChildrenFollowIt() throws Exception {
        Object traced = newInstance("Traced");
        SpanSlot request = Tracer.startSpan(InstrumentationScope.MANUAL, SpanKind.SERVER, "request", null);
        call(traced, "root");
        call(traced, "nested");
        request.end();
        List<Span> spans = drain();
        Span nestedInRoot = spans.get(0);
        Span root = spans.get(1);
        Span nestedInRequest = spans.get(2);
        Span server = spans.get(3);
        assertEquals("new-root", root.name());
        assertEquals(SpanKind.PRODUCER, root.kind());
        assertEquals(0, root.parentSpanId());
        assertNotEquals(server.traceIdLow(), root.traceIdLow());
        assertEquals(root.spanId(), nestedInRoot.parentSpanId());
        assertEquals(root.traceIdLow(), nestedInRoot.traceIdLow());
        assertEquals(server.spanId(), nestedInRequest.parentSpanId());
    }

    @Test
    void spanAttributesAreTypedAsTheAgentTypesThem() throws Exception {
        Object traced = newInstance("Traced");
        Method attributes = method(traced.getClass(), "attributes");
        attributes.invoke(traced, 42L, "ann", 0.5f, true, List.of("a", "b"), new int[] {1, 2}, new StringBuilder("n"),
            7, (short) 3, null, List.of(1, 2.5), Map.of("k", 1), new byte[] {1});
        assertEquals(6, method(traced.getClass(), "twice").invoke(null, 3));
        List<Span> spans = drain();
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("code.namespace", PACKAGE + "Traced");
        expected.put("code.function", "attributes");
        expected.put("order.id", 42L);
        expected.put("customer", "ann");
        expected.put("ratio", 0.5);
        expected.put("express", true);
        expected.put("tags", List.of("a", "b"));
        expected.put("counts", List.of(1L, 2L));
        expected.put("note", "n");
        expected.put("small", "3");
        expected.put("numbers", List.of("1", "2.5"));
        expected.put("map", "{k=1}");
        assertEquals(expected, spans.get(0).attributes());
        assertEquals(3L, spans.get(1).attributes().get("n"));
        assertEquals("Traced.twice", spans.get(1).name());
    }

    @Test
    void aMethodReturningAFutureEndsItsSpanWhenTheFutureCompletesOnAnotherThread() throws Exception {
        Object traced = newInstance("Traced");
        CompletableFuture<String> source = new CompletableFuture<>();
        Object returned = call(traced, "later", source);
        assertNotSame(source, returned, "the caller gets the stage that completes after the span has ended");
        List<Span> before = drain();
        assertEquals(List.of("Traced.nested"), before.stream().map(Span::name).toList(), "still open");
        long[] completedAt = new long[1];
        Thread completer = new Thread(() -> {
            completedAt[0] = System.currentTimeMillis() * 1_000_000;
            source.complete("done");
        });
        completer.start();
        completer.join();
        assertEquals("done", ((CompletableFuture<?>) returned).get());
        Span later = drain().get(0);
        assertEquals("Traced.later", later.name());
        assertEquals(later.spanId(), before.get(0).parentSpanId(), "what the method started is its child");
        assertTrue(later.end() >= completedAt[0] - 1_000_000, "ended at completion, not at return");
        assertEquals(StatusCode.UNSET, later.statusCode());

        CompletableFuture<String> failing = new CompletableFuture<>();
        CompletionStage<?> stage = (CompletionStage<?>) call(traced, "stage", "orders", failing);
        failing.completeExceptionally(new IllegalArgumentException("rejected"));
        assertTrue(stage.toCompletableFuture().isCompletedExceptionally());
        Span consumer = drain().get(0);
        assertEquals(SpanKind.CONSUMER, consumer.kind());
        assertEquals(StatusCode.ERROR, consumer.statusCode());
        assertEquals(IllegalArgumentException.class.getName(), consumer.eventAttributes().get("exception.type"));
        assertEquals("orders", consumer.attributes().get("topic"));
        assertEquals("stage", consumer.attributes().get("code.function"));

        CompletableFuture<String> untouched = new CompletableFuture<>();
        assertSame(untouched, call(traced, "futureAsObject", untouched));
        assertEquals(List.of("Traced.futureAsObject"), drain().stream().map(Span::name).toList(),
            "declared as Object: ended at return");
    }

    @Test
    void aMethodListNamesImplementationsOfAnInterfaceAndEveryMethodOfAnAbstractClassesSubclasses()
        throws Exception {
        Object greeter = newInstance("FriendlyGreeter");
        assertEquals("HELLO ANN", call(greeter, "greet", "ann"));
        CompletableFuture<String> source = new CompletableFuture<>();
        CompletableFuture<?> later = (CompletableFuture<?>) call(greeter, "greetLater", source);
        assertEquals(List.of("FriendlyGreeter.greet"), drain().stream().map(Span::name).toList(),
            "shout is not listed; greetLater is still open");
        source.complete("hi");
        later.get();
        Object worker = woven.loadClass(PACKAGE + "Worker").getConstructor(int.class).newInstance(3);
        assertEquals(6, call(worker, "work", 2));
        List<Span> spans = drain();
        assertEquals(List.of("FriendlyGreeter.greetLater", "AbstractWorker.rest", "Worker.work"),
            spans.stream().map(Span::name).toList(), "not the constructor, not the lambda's body");
        assertEquals(InstrumentationScope.METHODS, spans.get(0).scopeId());
        assertEquals(Map.of("code.namespace", PACKAGE + "Worker", "code.function", "work"), spans.get(2).attributes());
        assertEquals(SpanKind.INTERNAL, spans.get(1).kind());
        assertEquals(spans.get(2).spanId(), spans.get(1).parentSpanId());
    }

    @Test
    void aMethodListLongerThanTheSupertypesThatCanBeWatchedLeavesTheRestOutInsteadOfFailingTheAgent() {
        StringBuilder entries = new StringBuilder();
        for (int i = 0; i < 70; i++) {
            entries.append("my.pkg.Listed").append(i).append("[run];");
        }
        PlumeConfig config = PlumeConfig.of(Map.of("otel.instrumentation.methods.include", entries.toString()),
            Map.of(), WARNINGS::add);
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        dev.plume.bootstrap.PlumeLog.redirect(new java.io.PrintStream(log, true));
        try {
            new MatchingTransformer(null, List.of(new MethodsInstrumentation(config)),
                IgnoredTypes.excluding(List.of()));
        } finally {
            dev.plume.bootstrap.PlumeLog.redirect(System.err);
        }
        String lines = log.toString();
        assertTrue(lines.contains("the methods instrumentation names more supertypes than can be watched"
            + " (64 in all): left out")
            && lines.contains("my/pkg/Listed69") && !lines.contains("my/pkg/Listed63]"), lines);
        assertEquals(1, lines.lines().count(), "one line for the library: " + lines);
    }

    /** The promise of the hot path, asserted exactly: a plain {@code @WithSpan} call allocates nothing. */
    @Test
    void aPlainWithSpanMethodAllocatesNothing() throws Exception {
        Runnable traced = (Runnable) newInstance("Traced");
        AtomicBoolean running = new AtomicBoolean(true);
        Thread reader = new Thread(() -> {
            while (running.get()) {
                ring.read((type, buffer, index, length) -> { }, 1000);
            }
        });
        reader.start();
        try {
            com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            for (int i = 0; i < 300_000; i++) {
                traced.run();
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 100_000; i++) {
                traced.run();
            }
            assertEquals(0, threads.getCurrentThreadAllocatedBytes() - before, "bytes allocated by 100k calls");
        } finally {
            running.set(false);
            reader.join();
        }
        assertNull(Tracer.currentSpan());
    }

    // ---- helpers

    /** A decoded span. */
    private record Span(String name, int kind, int scopeId, long traceIdLow, long spanId, long parentSpanId,
                        long end, int statusCode, Map<String, Object> attributes, List<String> events,
                        Map<String, Object> eventAttributes) {
    }

    private List<Span> drain() {
        List<Span> spans = new ArrayList<>();
        MessageHandler handler = (type, buffer, index, length) -> {
            SpanRecordReader r = reader.wrap(buffer, index, length);
            Map<String, Object> attributes = new LinkedHashMap<>();
            for (int i = 0; i < r.attributeCount(); i++) {
                attributes.put(r.attributeKey(i), r.attributeValue(i));
            }
            List<String> events = new ArrayList<>();
            Map<String, Object> eventAttributes = new LinkedHashMap<>();
            for (int e = 0; e < r.eventCount(); e++) {
                events.add(r.eventName(e));
                for (int i = r.eventAttributeStart(e); i < r.eventAttributeEnd(e); i++) {
                    eventAttributes.put(r.attributeKey(i), r.attributeValue(i));
                }
            }
            spans.add(new Span(r.name(), r.kind(), r.scopeId(), r.traceIdLow(), r.spanId(), r.parentSpanId(),
                r.endEpochNanos(), r.statusCode(), attributes, events, eventAttributes));
        };
        while (ring.read(handler) > 0) {
            // until empty
        }
        return spans;
    }

    private static Object newInstance(String simpleName) throws Exception {
        return woven.loadClass(PACKAGE + simpleName).getConstructor().newInstance();
    }

    private static Object call(Object target, String name, Object... arguments) throws Exception {
        return method(target.getClass(), name).invoke(target, arguments);
    }

    private static Method method(Class<?> type, String name) {
        for (Method method : type.getMethods()) {
            if (method.getName().equals(name) && !method.isBridge()) {
                return method;
            }
        }
        throw new AssertionError("no method " + name + " in " + type);
    }

    private static byte[] classFile(String className) throws IOException {
        try (InputStream in = AnnotationsAndMethodListsTest.class.getClassLoader()
            .getResourceAsStream(className.replace('.', '/') + ".class")) {
            return in.readAllBytes();
        }
    }
}
