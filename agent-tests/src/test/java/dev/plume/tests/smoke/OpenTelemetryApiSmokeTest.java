package dev.plume.tests.smoke;

import dev.plume.tests.otlp.OtlpHttpReceiver;
import dev.plume.tests.otlp.ReceivedSpan;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * An application that traces itself through the OpenTelemetry API (otel-api-app: API 1.68.0; otel-api-oldest-app: the
 * same code against API 1.0.0), with {@code @WithSpan} and Logback's {@code %X{trace_id}}, on every JDK: its spans are
 * Plume's, in the traces of Plume's instrumentation, with every attribute type, events, links, status, exceptions and
 * explicit timestamps; {@code Span.current()} is the server span Plume opened; its current span parents Plume's client
 * span and crosses a thread pool; baggage set through the API reaches the downstream service; the API's propagators
 * inject and extract; log lines carry the right ids. And the same trace tree and log lines as under the OpenTelemetry
 * Java agent.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class OpenTelemetryApiSmokeTest {
    static Stream<Arguments> appsAndJdks() {
        List<Arguments> cases = new ArrayList<>();
        for (Jdk jdk : InstalledJdks.all()) {
            cases.add(Arguments.of("otel-api-app", jdk));
            cases.add(Arguments.of("otel-api-oldest-app", jdk));
        }
        return cases.stream();
    }

    /** What one {@code /api/order} gave: the response body's lines, the order's trace, the app's output. */
    record Run(Map<String, String> body, List<ReceivedSpan> trace, List<ReceivedSpan> all, List<String> stdout) {
        ReceivedSpan span(String name) {
            return all.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no span '" + name + "' in " + all));
        }

        ReceivedSpan byId(String spanId) {
            return all.stream().filter(s -> s.spanId().equals(spanId)).findFirst()
                .orElseThrow(() -> new AssertionError("no span " + spanId + " in " + all));
        }

        String logLine(String message) {
            return stdout.stream().filter(line -> line.endsWith(message)).findFirst()
                .orElseThrow(() -> new AssertionError("no log line '" + message + "' in\n" + String.join("\n", stdout)));
        }
    }

    @ParameterizedTest(name = "[{index}] {0} on {1}")
    @MethodSource("appsAndJdks")
    void theApplicationsOwnSpansArePlumeSpansInTheSameTraces(String app, Jdk jdk) throws Exception {
        Run run = run(app, jdk, null);
        Map<String, String> body = run.body();
        ReceivedSpan server = run.byId(body.get("server"));
        ReceivedSpan order = run.span("process-order");

        // Span.current() was the server span Plume opened, and the application could annotate it
        assertEquals(Span.SpanKind.SPAN_KIND_SERVER, server.kind());
        assertEquals(42L, server.attribute("app.order.id"));
        assertEquals(order.spanId(), body.get("order"));
        assertEquals(order.spanId(), body.get("current"), "Span.current() inside the scope is the application's span");

        // the application's span: a child of Plume's, under its tracer's scope, every attribute type
        assertEquals(server.spanId(), order.parentSpanId());
        assertEquals(server.traceId(), order.traceId());
        assertEquals("otel-api-app", order.scope().getName());
        assertEquals("1.2.3", order.scope().getVersion());
        assertEquals(Span.SpanKind.SPAN_KIND_INTERNAL, order.kind());
        assertEquals("s", order.attribute("app.string"));
        assertEquals(7L, order.attribute("app.long"));
        assertEquals(2.5, order.attribute("app.double"));
        assertEquals(true, order.attribute("app.bool"));
        assertEquals(List.of("a", "b"), order.attribute("app.strings"));
        assertEquals(List.of(1L, 2L), order.attribute("app.longs"));
        assertEquals(List.of(0.5, 1.5), order.attribute("app.doubles"));
        assertEquals(List.of(true, false), order.attribute("app.bools"));

        // setNoParent: a root of its own; a link to it with an attribute
        ReceivedSpan audit = run.span("audit");
        assertTrue(audit.isRoot());
        assertNotEquals(order.traceId(), audit.traceId());
        ReceivedSpan charge = run.span("charge-card");
        assertEquals(order.spanId(), charge.parentSpanId());
        assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, charge.kind());
        assertEquals(7_000_000L, charge.endNanos() - charge.startNanos(), "explicit start and end timestamps");
        assertEquals(0, charge.startNanos() % 1_000_000L, "the start given in milliseconds");
        assertEquals(Status.StatusCode.STATUS_CODE_ERROR, charge.statusCode());
        assertEquals("declined", charge.proto().getStatus().getMessage());
        assertEquals(1, charge.proto().getLinksCount());
        Span.Link link = charge.proto().getLinks(0);
        assertEquals(audit.spanId(), ReceivedSpan.hex(link.getSpanId()));
        assertEquals(audit.traceId(), ReceivedSpan.hex(link.getTraceId()));
        assertEquals("audited-by", link.getAttributes(0).getValue().getStringValue());
        List<Span.Event> events = charge.proto().getEventsList();
        assertEquals(List.of("card-checked", "exception"), events.stream().map(Span.Event::getName).toList());
        assertEquals(4L, events.get(0).getAttributes(0).getValue().getIntValue());
        assertFalse(events.get(0).getAttributes(1).getValue().getBoolValue());
        Map<String, String> exception = events.get(1).getAttributesList().stream().collect(Collectors.toMap(
            kv -> kv.getKey(), kv -> kv.getValue().getStringValue()));
        assertEquals("java.lang.IllegalStateException", exception.get("exception.type"));
        assertEquals("card declined", exception.get("exception.message"));
        assertTrue(exception.get("exception.stacktrace").contains("OtelApiApp.order"));

        // the application's current span parents Plume's client span; its baggage reaches the downstream service
        ReceivedSpan client = run.trace().stream().filter(s -> s.kind() == Span.SpanKind.SPAN_KIND_CLIENT
            && !s.name().equals("charge-card")).findFirst().orElseThrow(() -> new AssertionError(run.trace()));
        assertEquals(order.spanId(), client.parentSpanId());
        ReceivedSpan stock = run.trace().stream().filter(s -> s.kind() == Span.SpanKind.SPAN_KIND_SERVER
            && s.parentSpanId().equals(client.spanId())).findFirst().orElseThrow(() -> new AssertionError(run.trace()));
        assertEquals("acme", stock.attribute("app.tenant"));
        assertEquals("tenant=acme", body.get("stock"));

        // across a thread pool, and into an annotated method
        assertEquals(order.spanId(), run.span("reserve-stock").parentSpanId());
        ReceivedSpan counted = run.span("count-stock");
        assertEquals(order.spanId(), counted.parentSpanId());
        assertEquals("widget", counted.attribute("app.item"));
        assertEquals(3L, counted.attribute("app.wanted"));

        // the API's propagators: inject the current span, extract a remote parent
        assertEquals("00-" + order.traceId() + "-" + order.spanId() + "-01", body.get("injected"));
        ReceivedSpan fromRemote = run.span("from-remote");
        assertEquals("0af7651916cd43dd8448eb211c80319c", fromRemote.traceId());
        assertEquals("b7ad6b7169203331", fromRemote.parentSpanId());

        // log lines carry the current span's ids, whichever made it current
        assertIds(run.logLine("OtelApiApp: processing order"), order);
        assertIds(run.logLine("OtelApiApp: reserving stock"), run.span("reserve-stock"));
        assertIds(run.logLine("OtelApiApp: stock for tenant acme"), stock);
        assertIds(run.logLine("OtelApiApp: counting widget"), counted);
        assertTrue(run.logLine(": ready on port " + body.get("port")).contains("trace_id= span_id="));
    }

    /**
     * The same request under the OpenTelemetry Java agent and under Plume gives the same trace tree (the
     * application's spans by name, kind and attribute keys; the instrumentation's by kind) and log lines that name the
     * same spans.
     */
    @Test
    void theSameTraceTreeAndLogLinesAsUnderTheOpenTelemetryAgent() throws Exception {
        Path otelAgent = Path.of(System.getProperty("plume.otel.javaagent.jar", "absent"));
        assumeTrue(Files.isRegularFile(otelAgent), "the OpenTelemetry Java agent is not at " + otelAgent
            + " (agent-tests/pom.xml copies it from Maven Central): the comparison is skipped");
        Jdk jdk = InstalledJdks.all().get(0);
        // the OpenTelemetry agent gives every span its thread's id and name; Plume does when asked
        Run plume = run("otel-api-app", jdk, null, "otel.javaagent.add-thread-details", "true");
        Run otel = run("otel-api-app", jdk, otelAgent);
        assertEquals(tree(otel), tree(plume), "the trace tree of /api/order");
        for (String message : List.of("processing order", "reserving stock", "counting widget")) {
            assertEquals(loggedSpanName(otel, message), loggedSpanName(plume, message), "the span '" + message
                + "' is logged in");
        }
    }

    private static String loggedSpanName(Run run, String message) {
        String line = run.logLine("OtelApiApp: " + message);
        String spanId = line.replaceAll(".*span_id=([0-9a-f]*).*", "$1");
        return run.all().stream().filter(s -> s.spanId().equals(spanId)).map(ReceivedSpan::name).findFirst()
            .orElse("<no span " + spanId + ">");
    }

    /** The order's trace as an indented tree: application spans by name, kind and attribute keys; others by kind. */
    private static String tree(Run run) {
        Map<String, List<ReceivedSpan>> children = new HashMap<>();
        ReceivedSpan root = null;
        for (ReceivedSpan span : run.trace()) {
            if (span.isRoot()) {
                root = span;
            } else {
                children.computeIfAbsent(span.parentSpanId(), k -> new ArrayList<>()).add(span);
            }
        }
        StringBuilder out = new StringBuilder();
        render(root, children, 0, out);
        return out.toString();
    }

    private static void render(ReceivedSpan span, Map<String, List<ReceivedSpan>> children, int depth,
                               StringBuilder out) {
        if (span == null) {
            out.append("<no root>");
            return;
        }
        out.append("  ".repeat(depth)).append(label(span)).append('\n');
        List<ReceivedSpan> below = new ArrayList<>(children.getOrDefault(span.spanId(), List.of()));
        below.sort(Comparator.comparing(OpenTelemetryApiSmokeTest::label));
        for (ReceivedSpan child : below) {
            render(child, children, depth + 1, out);
        }
    }

    private static String label(ReceivedSpan span) {
        String kind = span.kind().name().replace("SPAN_KIND_", "");
        if (!span.scope().getName().equals("otel-api-app")) {
            return kind + (span.attributes().containsKey("app.tenant") ? " app.tenant" : "")
                + (span.attributes().containsKey("app.order.id") ? " app.order.id" : "");
        }
        List<String> keys = new ArrayList<>(span.attributes().keySet());
        keys.sort(null);
        return kind + " " + span.name() + " " + keys + " events=" + span.proto().getEventsList().stream()
            .map(Span.Event::getName).toList() + " links=" + span.proto().getLinksCount() + " status="
            + span.statusCode();
    }

    private static void assertIds(String line, ReceivedSpan span) {
        assertTrue(line.contains("trace_id=" + span.traceId() + " span_id=" + span.spanId() + " trace_flags=01"),
            "'" + line + "' should carry " + span);
    }

    private static Run run(String app, Jdk jdk, Path otelAgent, String... properties) throws Exception {
        try (OtlpHttpReceiver receiver = OtlpHttpReceiver.start()) {
            AgentProcess.Builder builder = AgentProcess.launch(jdk, SmokeArtifacts.webAppJar(app))
                .systemProperty("otel.bsp.schedule.delay", "100");
            for (int i = 0; i + 1 < properties.length; i += 2) {
                builder.systemProperty(properties[i], properties[i + 1]);
            }
            if (otelAgent != null) {
                builder.agent(otelAgent)
                    .systemProperty("otel.exporter.otlp.protocol", "http/protobuf")
                    .systemProperty("otel.exporter.otlp.traces.endpoint", receiver.endpoint() + "/v1/traces")
                    .systemProperty("otel.metrics.exporter", "none")
                    .systemProperty("otel.logs.exporter", "none")
                    .systemProperty("otel.javaagent.logging", "none");
            } else {
                builder.systemProperty("otel.exporter.otlp.endpoint", receiver.endpoint());
            }
            try (AgentProcess process = builder.start()) {
                Run[] result = new Run[1];
                process.explainFailures(() -> {
                    int port = process.awaitListeningPort(Duration.ofSeconds(90));
                    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/order")).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, response.statusCode(), response.body());
                    Map<String, String> body = new HashMap<>();
                    for (String line : response.body().split("\n")) {
                        int equals = line.indexOf('=');
                        if (equals > 0) {
                            body.put(line.substring(0, equals), line.substring(equals + 1));
                        }
                    }
                    body.put("port", String.valueOf(port));
                    // the order's trace: server, order, charge, client, stock server, reserve, count (7 or more)
                    receiver.awaitSpans("the spans of /api/order", spans -> spans.stream().anyMatch(s ->
                        s.name().equals("from-remote")) && spans.stream().anyMatch(s -> s.name().equals("process-order"))
                        && spans.stream().filter(s -> s.kind() == Span.SpanKind.SPAN_KIND_SERVER).count() >= 2,
                        Duration.ofSeconds(30));
                    Thread.sleep(500); // late spans of the same batch
                    List<ReceivedSpan> all = receiver.spans();
                    String traceId = all.stream().filter(s -> s.name().equals("process-order")).findFirst()
                        .orElseThrow().traceId();
                    result[0] = new Run(body, receiver.trace(traceId), all, process.stdoutLines());
                });
                return result[0];
            }
        }
    }
}
