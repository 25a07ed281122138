package dev.plume.export.console;

import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.StatusCode;
import dev.plume.bootstrap.trace.Tracer;
import dev.plume.bootstrap.trace.W3cTraceContext;
import dev.plume.export.TracingRing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The console tree of real spans: header, indentation, aligned columns and proportional bars. */
class ConsoleTraceExporterTest {
    private static final Pattern HEADER =
        Pattern.compile("plume trace ([0-9a-f]{32})  (.+)  (\\d+\\.\\d\\d) ms");
    private static final Pattern BAR = Pattern.compile("\\|([^|]{" + TraceTreeRenderer.BAR_WIDTH + "})\\|");
    private static final long SECOND = 1_000_000_000L;

    private TracingRing tracing;
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() {
        tracing = TracingRing.install();
    }

    @AfterEach
    void tearDown() {
        tracing.close();
    }

    @Test
    void serverClientServerTraceIsOneTreeWithProportionalBars() throws Exception {
        ConsoleTraceExporter console = new ConsoleTraceExporter(stream(), true);
        List<ConsoleSpan> spans = recordServerClientServer();
        long base = System.nanoTime();
        // spans arrive as they end: inner server first, outer server (the root) last
        for (ConsoleSpan span : spans) {
            console.add(span, base);
        }
        console.tick(base + ConsoleTraceExporter.ROOT_SETTLE_MILLIS * 1_000_000 - 1);
        assertEquals("", printed.toString(StandardCharsets.UTF_8), "a late server span may still join the trace");
        console.tick(base + ConsoleTraceExporter.ROOT_SETTLE_MILLIS * 1_000_000);

        List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(4, lines.size(), String.join("\n", lines));
        ConsoleSpan inner = spans.get(0);
        ConsoleSpan client = spans.get(1);
        ConsoleSpan outer = spans.get(2);

        Matcher header = HEADER.matcher(lines.get(0));
        assertTrue(header.matches(), lines.get(0));
        assertEquals(W3cTraceContext.traceIdHex(outer.traceIdHigh(), outer.traceIdLow()), header.group(1));
        assertEquals("GET /checkout", header.group(2));
        assertEquals(TraceTreeRenderer.millis(outer.durationNanos()), header.group(3));

        // two spaces per depth, root at two
        assertTrue(lines.get(1).startsWith("  GET /checkout "), lines.get(1));
        assertTrue(lines.get(2).startsWith("    GET "), lines.get(2));
        assertTrue(lines.get(3).startsWith("      GET /inventory "), lines.get(3));
        assertTrue(lines.get(1).contains("SERVER") && lines.get(2).contains("CLIENT"));
        assertTrue(lines.get(3).contains("SERVER"));

        // kinds, durations and bars line up in columns
        int kindColumn = lines.get(1).indexOf("SERVER");
        assertEquals(kindColumn, lines.get(2).indexOf("CLIENT"));
        assertEquals(kindColumn, lines.get(3).indexOf("SERVER"));
        int barColumn = lines.get(1).indexOf('|');
        assertEquals(barColumn, lines.get(2).indexOf('|'));
        assertEquals(barColumn, lines.get(3).indexOf('|'));

        // durations in ms, ERROR marked, key attributes shown
        assertTrue(lines.get(3).contains(TraceTreeRenderer.millis(inner.durationNanos()) + " ms ERROR"), lines.get(3));
        assertTrue(lines.get(1).endsWith("|  200 /checkout"), lines.get(1));
        assertTrue(!lines.get(1).contains("ERROR") && !lines.get(2).contains("ERROR"));

        // each bar covers the span's share of the trace's interval
        long start = outer.startEpochNanos();
        long end = outer.endEpochNanos();
        assertBar(lines.get(1), outer, start, end, '\u2588');
        assertBar(lines.get(2), client, start, end, '\u2588');
        assertBar(lines.get(3), inner, start, end, '\u2588');
        assertEquals("\u2588".repeat(TraceTreeRenderer.BAR_WIDTH), bar(lines.get(1)), "the root spans the trace");
    }

    @Test
    void barsUseHashWhenStdoutIsNotUtf8() throws Exception {
        ConsoleTraceExporter console = new ConsoleTraceExporter(stream(), false);
        List<ConsoleSpan> spans = recordServerClientServer();
        for (ConsoleSpan span : spans) {
            console.add(span, System.nanoTime());
        }
        console.tick(System.nanoTime() + SECOND);
        List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals("#".repeat(TraceTreeRenderer.BAR_WIDTH), bar(lines.get(1)));
        assertBar(lines.get(3), spans.get(0), spans.get(2).startEpochNanos(), spans.get(2).endEpochNanos(), '#');
        assertTrue(lines.stream().noneMatch(l -> l.contains("\u2588")));
    }

    @Test
    void remoteRootWaitsBrieflyForALocalParentThenPrints() {
        ConsoleTraceExporter console = new ConsoleTraceExporter(stream(), true);
        SpanSlot server = Tracer.startSpanFromRemote(InstrumentationScope.JDK_HTTP_SERVER, SpanKind.SERVER, "GET",
            "/remote", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", null);
        Tracer.startSpan(InstrumentationScope.MANUAL, SpanKind.INTERNAL, "work", null).end();
        server.end();
        long base = System.nanoTime();
        tracing.drain(record -> console.add(ConsoleSpan.from(record), base));

        console.tick(base + SECOND / 2);
        assertEquals("", printed.toString(StandardCharsets.UTF_8), "within the grace period nothing prints");
        console.tick(base + 2 * SECOND);
        List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size(), String.join("\n", lines));
        String header = "plume trace 4bf92f3577b34da6a3ce929d0e0e4736  GET /remote  ";
        assertTrue(lines.get(0).startsWith(header), lines.get(0));
        assertTrue(lines.get(1).startsWith("  GET /remote "));
        assertTrue(lines.get(2).startsWith("    work "));
    }

    @Test
    void spansWhoseRootNeverArrivesPrintAsTheirOwnGroupLater() {
        ConsoleTraceExporter console = new ConsoleTraceExporter(stream(), true);
        SpanSlot root = Tracer.startSpan(InstrumentationScope.JDK_HTTP_SERVER, SpanKind.SERVER, "GET", "/slow");
        Tracer.startSpan(InstrumentationScope.JDK_HTTP_CLIENT, SpanKind.CLIENT, "GET", null).end();
        long base = System.nanoTime();
        tracing.drain(record -> console.add(ConsoleSpan.from(record), base));

        console.tick(base + 2 * SECOND);
        assertEquals("", printed.toString(StandardCharsets.UTF_8));
        console.tick(base + 6 * SECOND);
        List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size(), String.join("\n", lines));
        assertTrue(HEADER.matcher(lines.get(0).replace("  (root span not seen)", "")).matches(), lines.get(0));
        assertTrue(lines.get(0).endsWith("(root span not seen)"), lines.get(0));
        assertTrue(lines.get(1).startsWith("  GET "));
        root.end();
    }

    @Test
    void shutdownPrintsWhatIsStillWaiting() {
        ConsoleTraceExporter console = new ConsoleTraceExporter(stream(), true);
        SpanSlot root = Tracer.startSpan(InstrumentationScope.JDK_HTTP_SERVER, SpanKind.SERVER, "GET", "/open");
        Tracer.startSpan(InstrumentationScope.MANUAL, SpanKind.INTERNAL, "orphan", null).end();
        tracing.drain(console::add);
        console.shutdown();
        assertTrue(printed.toString(StandardCharsets.UTF_8).contains("  orphan "));
        root.end();
    }

    @Test
    void linksAndArrayValuesAreShownOnTheSpansLine() {
        ConsoleTraceExporter console = new ConsoleTraceExporter(stream(), true);
        SpanSlot batch = Tracer.startSpan(InstrumentationScope.MANUAL, SpanKind.CONSUMER, "process batch", null);
        batch.setAttribute("http.response.status_code", new long[] {200, 503});
        batch.addLink(0x4bf92f3577b34da6L, 0xa3ce929d0e0e4736L, 0x00f067aa0ba902b7L, 1, null, true);
        batch.addLink(1, 2, 3, 1, null, true);
        batch.addLink(4, 5, 6, 1, null, true);
        batch.end();
        SpanSlot single = Tracer.startSpan(InstrumentationScope.MANUAL, SpanKind.CONSUMER, "process one", null);
        single.addLink(7, 8, 9, 1, null, false);
        single.end();
        tracing.drain(console::add);
        console.shutdown();
        List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
        String batchLine = lines.stream().filter(l -> l.startsWith("  process batch ")).findFirst().orElseThrow();
        assertTrue(batchLine.endsWith("|  [200, 503]  links 4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7 +2"),
            batchLine);
        String singleLine = lines.stream().filter(l -> l.startsWith("  process one ")).findFirst().orElseThrow();
        assertTrue(singleLine.endsWith("|  link 00000000000000070000000000000008-0000000000000009"), singleLine);
    }

    @Test
    void utf8IsDetectedFromTheStdoutEncodingProperties() {
        String saved = System.getProperty("stdout.encoding");
        try {
            System.setProperty("stdout.encoding", "UTF-8");
            assertTrue(ConsoleTraceExporter.stdoutIsUtf8());
            System.setProperty("stdout.encoding", "ISO-8859-1");
            assertTrue(!ConsoleTraceExporter.stdoutIsUtf8());
        } finally {
            if (saved == null) {
                System.clearProperty("stdout.encoding");
            } else {
                System.setProperty("stdout.encoding", saved);
            }
        }
    }

    /** server (root) → client → server (remote parent: the same application called over HTTP), as they end. */
    private List<ConsoleSpan> recordServerClientServer() throws InterruptedException {
        SpanSlot outer = Tracer.startSpan(InstrumentationScope.JDK_HTTP_SERVER, SpanKind.SERVER, "GET", "/checkout");
        outer.setAttribute("url.path", "/checkout").setAttribute("http.response.status_code", 200L);
        Thread.sleep(3);
        SpanSlot client = Tracer.startSpan(InstrumentationScope.JDK_HTTP_CLIENT, SpanKind.CLIENT, "GET", null);
        String traceparent = client.traceparent();
        Thread.sleep(3);
        SpanSlot inner = Tracer.startSpanFromRemote(InstrumentationScope.JDK_HTTP_SERVER, SpanKind.SERVER, "GET",
            "/inventory", traceparent, null);
        inner.setAttribute("url.path", "/inventory").setAttribute("http.response.status_code", 500L);
        inner.setStatus(StatusCode.ERROR, "out of stock");
        Thread.sleep(3);
        inner.end();
        Thread.sleep(3);
        client.end();
        Thread.sleep(3);
        outer.end();
        List<ConsoleSpan> spans = new ArrayList<>();
        tracing.drain(record -> spans.add(ConsoleSpan.from(record)));
        assertEquals(3, spans.size());
        assertTrue(spans.get(0).parentRemote() && spans.get(2).parentSpanId() == 0);
        return spans;
    }

    private static void assertBar(String line, ConsoleSpan span, long traceStart, long traceEnd, char fill) {
        String bar = bar(line);
        double total = traceEnd - traceStart;
        int from = (int) Math.floor((span.startEpochNanos() - traceStart) * TraceTreeRenderer.BAR_WIDTH / total);
        int to = (int) Math.ceil((span.endEpochNanos() - traceStart) * TraceTreeRenderer.BAR_WIDTH / total);
        for (int i = 0; i < bar.length(); i++) {
            char expected = i >= from && i < to ? fill : ' ';
            assertEquals(expected, bar.charAt(i), "cell " + i + " of |" + bar + "| for " + span.name());
        }
    }

    private static String bar(String line) {
        Matcher matcher = BAR.matcher(line);
        assertTrue(matcher.find(), line);
        return matcher.group(1);
    }

    private PrintStream stream() {
        return new PrintStream(printed, true, StandardCharsets.UTF_8);
    }
}
