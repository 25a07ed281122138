package dev.plume.export.console;

import dev.plume.bootstrap.record.SpanRecordReader;
import dev.plume.export.BatchOutcome;
import dev.plume.export.TraceExporter;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code otel.traces.exporter=console}: prints each finished local trace to stdout as a tree (see
 * {@link TraceTreeRenderer}), for a developer watching the application run.
 *
 * <p>Spans end before their parents, so spans wait here until their trace's root arrives: a span without a parent
 * prints its trace {@value #ROOT_SETTLE_MILLIS} ms later, because a server span of this process may still end after the
 * client span that called it (the server finishes after sending its response). A span whose parent is remote prints its trace {@value #REMOTE_ROOT_GRACE_MILLIS} ms later,
 * because that parent may be a client span of this same process that has not ended yet (an application calling
 * itself). Spans whose root never arrives are printed as their own group after {@value #ORPHAN_TIMEOUT_MILLIS} ms,
 * or at shutdown.
 */
public final class ConsoleTraceExporter implements TraceExporter {
    static final long ROOT_SETTLE_MILLIS = 300;
    static final long REMOTE_ROOT_GRACE_MILLIS = 1_000;
    static final long ORPHAN_TIMEOUT_MILLIS = 5_000;
    /** Beyond this many waiting spans everything waiting is printed, so memory stays bounded. */
    static final int MAX_PENDING_SPANS = 10_000;

    private final PrintStream out;
    private final TraceTreeRenderer renderer;
    private final Map<TraceKey, PendingTrace> pending = new LinkedHashMap<>();
    private int pendingSpans;
    private int addedSinceFlush;
    private long nextDeadlineNanos = Long.MAX_VALUE;

    /** Prints to {@code System.out}, with block bars when stdout is UTF-8. */
    public ConsoleTraceExporter() {
        this(null, stdoutIsUtf8());
    }

    /** @param out where to print, or null for {@code System.out} as it is at printing time */
    public ConsoleTraceExporter(PrintStream out, boolean unicode) {
        this.out = out;
        this.renderer = new TraceTreeRenderer(unicode);
    }

    /**
     * Whether stdout takes UTF-8: the first of {@code stdout.encoding}, {@code sun.stdout.encoding} and
     * {@code file.encoding} that is set decides.
     */
    public static boolean stdoutIsUtf8() {
        for (String key : new String[] {"stdout.encoding", "sun.stdout.encoding", "file.encoding"}) {
            String encoding = System.getProperty(key);
            if (encoding != null && !encoding.isBlank()) {
                String normalized = encoding.trim().replace("-", "").replace("_", "");
                return normalized.equalsIgnoreCase("UTF8");
            }
        }
        return false;
    }

    @Override
    public boolean add(SpanRecordReader record) {
        return add(ConsoleSpan.from(record), System.nanoTime());
    }

    boolean add(ConsoleSpan span, long nowNanos) {
        addedSinceFlush++;
        TraceKey key = new TraceKey(span.traceIdHigh(), span.traceIdLow());
        PendingTrace trace = pending.computeIfAbsent(key, k -> new PendingTrace(nowNanos));
        trace.spans.add(span);
        pendingSpans++;
        if (span.parentSpanId() == 0) {
            trace.printAtNanos = Math.min(trace.printAtNanos, nowNanos + ROOT_SETTLE_MILLIS * 1_000_000);
        } else if (span.parentRemote()) {
            trace.printAtNanos = Math.min(trace.printAtNanos, nowNanos + REMOTE_ROOT_GRACE_MILLIS * 1_000_000);
        } else {
            long orphanDeadline = trace.firstArrivalNanos + ORPHAN_TIMEOUT_MILLIS * 1_000_000;
            trace.printAtNanos = Math.min(trace.printAtNanos, orphanDeadline);
        }
        if (pending.containsKey(key)) {
            nextDeadlineNanos = Math.min(nextDeadlineNanos, trace.printAtNanos);
        }
        if (pendingSpans > MAX_PENDING_SPANS) {
            printAll();
        }
        return true;
    }

    @Override
    public BatchOutcome flush(long timeoutMillis) {
        int count = addedSinceFlush;
        addedSinceFlush = 0;
        return BatchOutcome.exported(count);
    }

    @Override
    public void tick(long nowNanos) {
        if (nowNanos - nextDeadlineNanos < 0) {
            return;
        }
        nextDeadlineNanos = Long.MAX_VALUE;
        Iterator<Map.Entry<TraceKey, PendingTrace>> entries = pending.entrySet().iterator();
        List<Map.Entry<TraceKey, PendingTrace>> due = new ArrayList<>();
        while (entries.hasNext()) {
            Map.Entry<TraceKey, PendingTrace> entry = entries.next();
            if (nowNanos - entry.getValue().printAtNanos >= 0) {
                due.add(entry);
            } else {
                nextDeadlineNanos = Math.min(nextDeadlineNanos, entry.getValue().printAtNanos);
            }
        }
        for (Map.Entry<TraceKey, PendingTrace> entry : due) {
            print(entry.getKey(), entry.getValue());
        }
    }

    @Override
    public void shutdown() {
        printAll();
    }

    private void printAll() {
        for (Map.Entry<TraceKey, PendingTrace> entry : new ArrayList<>(pending.entrySet())) {
            print(entry.getKey(), entry.getValue());
        }
        nextDeadlineNanos = Long.MAX_VALUE;
    }

    private void print(TraceKey key, PendingTrace trace) {
        pending.remove(key);
        pendingSpans -= trace.spans.size();
        boolean hasLocalRoot = false;
        for (ConsoleSpan span : trace.spans) {
            hasLocalRoot |= span.isLocalRoot();
        }
        String text = renderer.render(trace.spans, !hasLocalRoot);
        PrintStream stream = out != null ? out : System.out;
        // one call, so the application's own output does not land inside a trace
        stream.print(text);
        stream.flush();
    }

    private record TraceKey(long high, long low) {
    }

    private static final class PendingTrace {
        final List<ConsoleSpan> spans = new ArrayList<>();
        final long firstArrivalNanos;
        long printAtNanos = Long.MAX_VALUE;

        PendingTrace(long firstArrivalNanos) {
            this.firstArrivalNanos = firstArrivalNanos;
        }
    }
}
