package dev.plume.tests.smoke;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the http-app demo with the console exporter and checks the printed trace trees against their contract:
 * a {@code plume trace <id>} header per trace, then one line per span, indented two spaces per depth level,
 * with its name, its duration in ms and a bar between two {@code |}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ConsoleExporterSmokeTest {

    private static final Pattern HEADER = Pattern.compile("^plume trace ([0-9a-f]{32})(?![0-9a-f]).*");
    private static final Pattern CHAIN_SERVER = spanName("GET /chain");
    private static final Pattern HELLO_SERVER = spanName("GET /hello");
    // The client span is named by its method alone, so "GET" followed by anything but a path.
    private static final Pattern CLIENT = Pattern.compile("(?<!\\S)GET(?! /)(?!\\S)");
    private static final Pattern DURATION = Pattern.compile("\\d+(\\.\\d+)? ?ms\\b");
    private static final Pattern BAR = Pattern.compile("\\|[^|]*\\|");
    /** The demo sends five requests from the app itself, each the root of its own trace. */
    private static final int DEMO_TRACES = 5;

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("dev.plume.tests.smoke.InstalledJdks#all")
    void demoPrintsOneTreePerTrace(Jdk jdk) {
        try (AgentProcess app = AgentProcess.launch(jdk, SmokeArtifacts.httpAppJar())
                .systemProperty("otel.traces.exporter", "console")
                .systemProperty("otel.service.name", "smoke-console-demo")
                .args("--demo")
                .start()) {
            app.explainFailures(() -> {
                assertEquals(0, app.awaitExit(Duration.ofSeconds(60)), "exit code");

                List<TraceBlock> blocks = TraceBlock.parse(app.stdoutLines());
                Set<String> traceIds = new LinkedHashSet<>();
                blocks.forEach(block -> traceIds.add(block.traceId()));
                traceIds.forEach(id -> assertNotEquals("0".repeat(32), id, "all-zero trace id"));
                assertEquals(DEMO_TRACES, traceIds.size(), "distinct trace ids in 'plume trace' headers");

                int chains = 0;
                for (TraceBlock block : blocks) {
                    for (int i = 0; i < block.lines().size(); i++) {
                        if (CHAIN_SERVER.matcher(block.lines().get(i)).find()) {
                            assertChainTree(block, i);
                            chains++;
                        }
                    }
                }
                assertEquals(2, chains, "'GET /chain' span lines (the demo calls /chain twice)");
                for (String name : List.of("GET /chain-async", "GET /fail", "GET /users")) {
                    assertTrue(blocks.stream().flatMap(b -> b.lines().stream())
                            .anyMatch(line -> spanName(name).matcher(line).find()), "a span line for " + name);
                }
            });
        }
    }

    /** Below the {@code GET /chain} server line: its client {@code GET} child, and that child's {@code GET /hello}. */
    private static void assertChainTree(TraceBlock block, int chainIndex) {
        List<String> lines = block.lines();
        String chain = lines.get(chainIndex);
        int client = -1;
        int hello = -1;
        for (int i = chainIndex + 1; i < lines.size() && indent(lines.get(i)) > indent(chain); i++) {
            if (client < 0 && CLIENT.matcher(lines.get(i)).find()) {
                client = i;
            } else if (client >= 0 && HELLO_SERVER.matcher(lines.get(i)).find()) {
                hello = i;
                break;
            }
        }
        if (client < 0 || hello < 0) {
            fail("no client 'GET' line followed by a 'GET /hello' line below '" + chain + "' in\n" + block);
        }
        assertEquals(indent(chain) + 2, indent(lines.get(client)), "client indentation in\n" + block);
        assertEquals(indent(lines.get(client)) + 2, indent(lines.get(hello)), "/hello indentation in\n" + block);
        for (String line : List.of(chain, lines.get(client), lines.get(hello))) {
            assertTrue(DURATION.matcher(line).find(), "duration in ms on '" + line + "'");
            assertTrue(BAR.matcher(line).find(), "bar between two '|' on '" + line + "'");
        }
    }

    private static Pattern spanName(String name) {
        return Pattern.compile("(?<!\\S)" + Pattern.quote(name) + "(?![\\w/-])");
    }

    private static int indent(String line) {
        int spaces = 0;
        while (spaces < line.length() && line.charAt(spaces) == ' ') {
            spaces++;
        }
        return spaces;
    }

    /** A {@code plume trace} header and the lines printed below it, up to the next header. */
    private record TraceBlock(String traceId, List<String> lines) {

        static List<TraceBlock> parse(List<String> stdout) {
            List<TraceBlock> blocks = new ArrayList<>();
            TraceBlock current = null;
            for (String line : stdout) {
                Matcher header = HEADER.matcher(line);
                if (header.matches()) {
                    current = new TraceBlock(header.group(1), new ArrayList<>());
                    blocks.add(current);
                } else if (current != null && !line.isBlank()
                        && !line.startsWith("DEMO ") && !line.startsWith("LISTENING ")) {
                    // The demo's own lines come from another thread and may land between trace lines.
                    current.lines().add(line);
                }
            }
            return blocks;
        }

        @Override
        public String toString() {
            return "plume trace " + traceId + "\n" + String.join("\n", lines);
        }
    }
}
