package dev.plume.export.console;

import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.StatusCode;
import dev.plume.bootstrap.trace.W3cTraceContext;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Renders the spans of one trace as an indented tree with a time bar per span:
 *
 * <pre>
 * plume trace 7a27073a1a8cbeef7473d0d4c6e20413  GET /checkout  17.28 ms
 *   GET /checkout          SERVER   17.28 ms       |████████████████████████████████████████|  200 /checkout
 *     validate cart        INTERNAL  0.00 ms       |       █                                |
 *     GET                  CLIENT    9.15 ms       |         ██████████████████████         |  500
 *       GET /inventory     SERVER    5.09 ms ERROR |              █████████████             |  500 /inventory
 * </pre>
 *
 * Names are indented two spaces per depth and padded to one column; each bar is placed in proportion to the span's
 * start and end within the whole trace. A span with links ends its line with the first linked context and how many
 * more there are ({@code links <trace id>-<span id> +2}): links usually point into other traces, which this tree
 * cannot show.
 */
public final class TraceTreeRenderer {
    public static final int BAR_WIDTH = 40;
    static final int MAX_NAME_COLUMN = 64;
    static final int MAX_DEPTH_SHOWN = 24;
    static final int KIND_COLUMN = 9; // "CONSUMER" and a space
    static final char FULL_BLOCK = '\u2588';

    private final char barChar;
    private final boolean unicode;

    /** @param unicode whether stdout takes UTF-8: bars are drawn with '█', else with '#' */
    public TraceTreeRenderer(boolean unicode) {
        this.unicode = unicode;
        this.barChar = unicode ? FULL_BLOCK : '#';
    }

    /**
     * The tree of one trace's spans, one line each after a header line, every line ending in a newline.
     *
     * @param partial the trace's local root never arrived; the header says so
     */
    public String render(List<ConsoleSpan> spans, boolean partial) {
        List<ConsoleSpan> byStart = new ArrayList<>(spans);
        byStart.sort(Comparator.comparingLong(ConsoleSpan::startEpochNanos)
            .thenComparing(Comparator.comparingLong(ConsoleSpan::endEpochNanos).reversed()));
        Map<Long, ConsoleSpan> byId = new HashMap<>();
        for (ConsoleSpan span : byStart) {
            byId.putIfAbsent(span.spanId(), span);
        }
        Map<Long, List<ConsoleSpan>> children = new HashMap<>();
        List<ConsoleSpan> tops = new ArrayList<>();
        for (ConsoleSpan span : byStart) {
            if (span.parentSpanId() != 0 && byId.containsKey(span.parentSpanId())
                && byId.get(span.parentSpanId()) != span) {
                children.computeIfAbsent(span.parentSpanId(), k -> new ArrayList<>()).add(span);
            } else {
                tops.add(span);
            }
        }

        // depth-first, iteratively; spans caught in a parent cycle are shown at the top level rather than lost
        List<ConsoleSpan> ordered = new ArrayList<>(byStart.size());
        List<Integer> depths = new ArrayList<>(byStart.size());
        Set<ConsoleSpan> visited = new HashSet<>();
        for (ConsoleSpan top : tops) {
            walk(top, children, visited, ordered, depths);
        }
        for (ConsoleSpan span : byStart) {
            if (!visited.contains(span)) {
                walk(span, children, visited, ordered, depths);
            }
        }

        long traceStart = Long.MAX_VALUE;
        long traceEnd = Long.MIN_VALUE;
        for (ConsoleSpan span : byStart) {
            traceStart = Math.min(traceStart, span.startEpochNanos());
            traceEnd = Math.max(traceEnd, Math.max(span.startEpochNanos(), span.endEpochNanos()));
        }
        ConsoleSpan root = headerSpan(tops.isEmpty() ? byStart : tops);
        long headerNanos = partial ? traceEnd - traceStart : root.durationNanos();

        StringBuilder out = new StringBuilder(128 * (ordered.size() + 1));
        out.append("plume trace ").append(W3cTraceContext.traceIdHex(root.traceIdHigh(), root.traceIdLow()))
            .append("  ").append(clean(root.name()))
            .append("  ").append(millis(headerNanos)).append(" ms");
        if (partial) {
            out.append("  (root span not seen)");
        }
        out.append('\n');

        int nameColumn = 0;
        int durationColumn = 0;
        List<String> labels = new ArrayList<>(ordered.size());
        for (int i = 0; i < ordered.size(); i++) {
            String label = label(ordered.get(i), depths.get(i));
            labels.add(label);
            nameColumn = Math.max(nameColumn, displayWidth(label));
            durationColumn = Math.max(durationColumn, millis(ordered.get(i).durationNanos()).length());
        }
        for (int i = 0; i < ordered.size(); i++) {
            ConsoleSpan span = ordered.get(i);
            String label = labels.get(i);
            out.append(label);
            pad(out, nameColumn - displayWidth(label));
            out.append("  ");
            String kind = SpanKind.name(span.kind());
            out.append(kind);
            pad(out, KIND_COLUMN - kind.length());
            String duration = millis(span.durationNanos());
            pad(out, durationColumn - duration.length());
            out.append(duration).append(" ms");
            out.append(span.statusCode() == StatusCode.ERROR ? " ERROR " : "       ");
            out.append('|');
            appendBar(out, span, traceStart, traceEnd);
            out.append('|');
            if (span.httpStatus() != null) {
                out.append("  ").append(clean(span.httpStatus()));
            }
            if (span.urlPath() != null) {
                out.append(span.httpStatus() != null ? " " : "  ").append(clean(span.urlPath()));
            }
            appendLinks(out, span);
            out.append('\n');
        }
        return out.toString();
    }

    private static void appendLinks(StringBuilder out, ConsoleSpan span) {
        if (span.linkCount() == 0) {
            return;
        }
        out.append("  ").append(span.linkCount() == 1 ? "link" : "links");
        if (!span.links().isEmpty()) {
            out.append(' ').append(span.links().get(0));
        }
        int more = span.linkCount() - Math.min(1, span.links().size());
        if (more > 0) {
            out.append(" +").append(more);
        }
    }

    private static void walk(ConsoleSpan start, Map<Long, List<ConsoleSpan>> children, Set<ConsoleSpan> visited,
                             List<ConsoleSpan> ordered, List<Integer> depths) {
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {start, 0});
        while (!stack.isEmpty()) {
            Object[] entry = stack.pop();
            ConsoleSpan span = (ConsoleSpan) entry[0];
            int depth = (Integer) entry[1];
            if (!visited.add(span)) {
                continue;
            }
            ordered.add(span);
            depths.add(depth);
            List<ConsoleSpan> kids = children.get(span.spanId());
            if (kids != null) {
                for (int k = kids.size() - 1; k >= 0; k--) {
                    stack.push(new Object[] {kids.get(k), depth + 1});
                }
            }
        }
    }

    /** The span named in the header: the trace's root if present here, else its first local root, else the first. */
    private static ConsoleSpan headerSpan(List<ConsoleSpan> candidates) {
        for (ConsoleSpan span : candidates) {
            if (span.parentSpanId() == 0) {
                return span;
            }
        }
        for (ConsoleSpan span : candidates) {
            if (span.isLocalRoot()) {
                return span;
            }
        }
        return candidates.get(0);
    }

    private String label(ConsoleSpan span, int depth) {
        String indent = " ".repeat(2 * (Math.min(depth, MAX_DEPTH_SHOWN) + 1));
        String name = clean(span.name());
        int room = MAX_NAME_COLUMN - indent.length();
        if (displayWidth(name) > room) {
            String ellipsis = unicode ? "\u2026" : "...";
            int budget = Math.max(0, room - ellipsis.length());
            int end = 0;
            int width = 0;
            while (end < name.length()) {
                int codePoint = name.codePointAt(end);
                width += cellWidth(codePoint);
                if (width > budget) {
                    break;
                }
                end += Character.charCount(codePoint);
            }
            name = name.substring(0, end) + ellipsis;
        }
        return indent + name;
    }

    /** Terminal columns the text takes: East Asian wide characters and most emoji take two. */
    static int displayWidth(String text) {
        int width = 0;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            width += cellWidth(codePoint);
            i += Character.charCount(codePoint);
        }
        return width;
    }

    private static int cellWidth(int cp) {
        boolean wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF && cp != 0x303F)
            || (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F)
            || (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F)
            || (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD);
        return wide ? 2 : 1;
    }

    private void appendBar(StringBuilder out, ConsoleSpan span, long traceStart, long traceEnd) {
        double total = Math.max(1, traceEnd - traceStart);
        int from = (int) Math.floor((span.startEpochNanos() - traceStart) * BAR_WIDTH / total);
        int to = (int) Math.ceil((span.endEpochNanos() - traceStart) * BAR_WIDTH / total);
        from = Math.max(0, Math.min(BAR_WIDTH - 1, from));
        to = Math.max(from + 1, Math.min(BAR_WIDTH, to)); // even the shortest span shows one cell
        for (int i = 0; i < BAR_WIDTH; i++) {
            out.append(i >= from && i < to ? barChar : ' ');
        }
    }

    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1_000_000.0);
    }

    private static String clean(String text) {
        if (text == null || text.isEmpty()) {
            return "(unnamed)";
        }
        StringBuilder clean = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) {
                if (clean == null) {
                    clean = new StringBuilder(text.substring(0, i));
                }
                clean.append(' ');
            } else if (clean != null) {
                clean.append(c);
            }
        }
        return clean == null ? text : clean.toString();
    }

    private static void pad(StringBuilder out, int spaces) {
        for (int i = 0; i < spaces; i++) {
            out.append(' ');
        }
    }
}
