package dev.plume.tests.smoke;

import dev.plume.tests.otlp.OtlpAttributes;
import dev.plume.tests.otlp.OtlpHttpReceiver;
import dev.plume.tests.otlp.ReceivedSpan;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.Status.StatusCode;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code @WithSpan}/{@code @SpanAttribute} (opentelemetry-instrumentation-annotations 2.31.1 and the older
 * opentelemetry-extension-annotations 1.18.0) and {@code otel.instrumentation.methods.include} in annotations-app, one
 * app JVM per installed JDK: what a backend receives for each case, under the JDK HTTP server's SERVER spans.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AnnotationsSmokeTest {
    private static final String PACKAGE = "dev.plume.smoke.annotations.";
    private static final Duration SPAN_TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("dev.plume.tests.smoke.InstalledJdks#all")
    void annotatedAndListedMethodsGiveTheSpansTheOpenTelemetryAgentGives(Jdk jdk) throws Exception {
        try (OtlpHttpReceiver receiver = OtlpHttpReceiver.start();
             AgentProcess app = AgentProcess.launch(jdk, SmokeArtifacts.webAppJar("annotations-app"))
                 .systemProperty("otel.exporter.otlp.endpoint", receiver.endpoint())
                 .systemProperty("otel.bsp.schedule.delay", "100")
                 .systemProperty("app.exit.on.stdin.eof", "true")
                 .systemProperty("otel.instrumentation.methods.include",
                     PACKAGE + "PaymentGateway[charge];" + PACKAGE + "Audit[*];not valid[x]")
                 .systemProperty("otel.instrumentation.opentelemetry-instrumentation-annotations.exclude-methods",
                     PACKAGE + "Orders[unlisted]")
                 .start()) {
            app.explainFailures(() -> {
                int port = app.awaitListeningPort(Duration.ofSeconds(60));
                assertSynchronousSpansWithAttributes(receiver, port);
                assertThrowingMethod(receiver, port);
                assertNewRoot(receiver, port);
                assertKindsAndTheOlderAnnotations(receiver, port);
                assertAsyncSpanEndsWhenItsFutureCompletes(receiver, port);
                assertAsyncFailure(receiver, port);
                assertMethodList(receiver, port);
                assertTrue(app.agentLogLines().stream().anyMatch(line ->
                    line.contains("otel.instrumentation.methods.include") && line.contains("not valid[x]")),
                    "one line names the key and the bad entry: " + app.agentLogLines());
                assertEquals(List.of(), app.exceptionLines());
                assertEquals(List.of(), receiver.spans().stream().filter(span -> span.name().contains("unlisted"))
                    .toList(), "an excluded method makes no span");
            });
        }
    }

    private static void assertSynchronousSpansWithAttributes(OtlpHttpReceiver receiver, int port) throws Exception {
        assertEquals("placed book x3", get(port, "/sync").body());
        ReceivedSpan server = serverSpan(receiver, "GET /sync");
        List<ReceivedSpan> trace = receiver.awaitTrace(server.traceId(), 3, SPAN_TIMEOUT);
        ReceivedSpan place = only(trace, "Orders.place");
        assertEquals(SpanKind.SPAN_KIND_INTERNAL, place.kind());
        assertEquals(server.spanId(), place.parentSpanId());
        assertEquals("dev.plume.annotations", place.scope().getName());
        assertEquals(Map.of("order.item", "book", "order.quantity", 3L, "order.price", 12.5, "order.gift", true,
            "order.tags", List.of("gift", "express"), "order.batches", List.of(7L, 8L),
            "customer", "customer ann", "code.namespace", PACKAGE + "Orders", "code.function", "place"),
            place.attributes());
        assertEquals(StatusCode.STATUS_CODE_UNSET, place.statusCode());
        ReceivedSpan reserve = only(trace, "inventory reserve");
        assertEquals(SpanKind.SPAN_KIND_CLIENT, reserve.kind());
        assertEquals(place.spanId(), reserve.parentSpanId());
        assertEquals(Map.of("inventory.item", "book", "quantity", 3L, "code.namespace", PACKAGE + "Inventory",
            "code.function", "reserve"), reserve.attributes(), "an unnamed @SpanAttribute is named after its parameter");
    }

    private static void assertThrowingMethod(OtlpHttpReceiver receiver, int port) throws Exception {
        HttpResponse<String> response = get(port, "/throws");
        assertEquals(409, response.statusCode());
        assertEquals("not cancelled: already shipped: o-1", response.body(), "the exception reached the caller");
        ReceivedSpan server = serverSpan(receiver, "GET /throws");
        ReceivedSpan cancel = only(receiver.awaitTrace(server.traceId(), 2, SPAN_TIMEOUT), "cancel order");
        assertEquals(StatusCode.STATUS_CODE_ERROR, cancel.statusCode());
        assertEquals(1, cancel.proto().getEventsCount());
        Span.Event event = cancel.proto().getEvents(0);
        assertEquals("exception", event.getName());
        Map<String, Object> attributes = OtlpAttributes.toMap(event.getAttributesList());
        assertEquals(IllegalStateException.class.getName(), attributes.get("exception.type"));
        assertEquals("already shipped: o-1", attributes.get("exception.message"));
        assertTrue(String.valueOf(attributes.get("exception.stacktrace")).contains("Orders.cancel"),
            attributes::toString);
        assertEquals(StatusCode.STATUS_CODE_UNSET, server.statusCode(), "handled: the request is fine");
    }

    private static void assertNewRoot(OtlpHttpReceiver receiver, int port) throws Exception {
        assertEquals("job 42", get(port, "/root").body());
        ReceivedSpan server = serverSpan(receiver, "GET /root");
        ReceivedSpan report = receiver.awaitSpan("the nightly report", span -> span.name().equals("nightly report"),
            SPAN_TIMEOUT);
        assertTrue(report.isRoot(), report::toString);
        assertNotEquals(server.traceId(), report.traceId());
        ReceivedSpan count = only(receiver.awaitTrace(report.traceId(), 2, SPAN_TIMEOUT), "Inventory.count");
        assertEquals(report.spanId(), count.parentSpanId(), "what it calls is in its new trace");
        assertEquals(1, receiver.awaitTrace(server.traceId(), 1, SPAN_TIMEOUT).size(), "nothing under the request");
    }

    private static void assertKindsAndTheOlderAnnotations(OtlpHttpReceiver receiver, int port) throws Exception {
        assertEquals("published", get(port, "/kinds").body());
        ReceivedSpan server = serverSpan(receiver, "GET /kinds");
        List<ReceivedSpan> trace = receiver.awaitTrace(server.traceId(), 3, SPAN_TIMEOUT);
        ReceivedSpan publish = only(trace, "Orders.publish");
        assertEquals(SpanKind.SPAN_KIND_PRODUCER, publish.kind());
        assertEquals("order-placed", publish.attribute("messaging.destination.name"));
        ReceivedSpan legacy = only(trace, "legacy lookup");
        assertEquals(SpanKind.SPAN_KIND_CONSUMER, legacy.kind());
        assertEquals(server.spanId(), legacy.parentSpanId());
        assertEquals(Map.of("legacy.key", "sku-9", "code.namespace", PACKAGE + "LegacyService", "code.function",
            "lookup"), legacy.attributes());
    }

    private static void assertAsyncSpanEndsWhenItsFutureCompletes(OtlpHttpReceiver receiver, int port)
        throws Exception {
        HttpResponse<String> response = get(port, "/async");
        long completedAtNanos = Long.parseLong(response.body().substring("sent ".length())) * 1_000_000;
        ReceivedSpan server = serverSpan(receiver, "GET /async");
        List<ReceivedSpan> trace = receiver.awaitTrace(server.traceId(), 3, SPAN_TIMEOUT);
        ReceivedSpan send = only(trace, "Mailer.send");
        ReceivedSpan render = only(trace, "Mailer.render");
        assertEquals(server.spanId(), send.parentSpanId());
        assertEquals(send.spanId(), render.parentSpanId(), "what the method starts is the async span's child");
        assertEquals("ann@example.com", send.attribute("mail.to"));
        // the future completed 300 ms after the method returned; the span ends then (the clocks agree to 1 ms)
        assertTrue(send.endNanos() >= completedAtNanos - 1_000_000, send + " ended before " + completedAtNanos);
        assertTrue(send.endNanos() - send.startNanos() >= 290_000_000L, send::toString);
        assertTrue(render.endNanos() < completedAtNanos - 200_000_000L, render::toString);
        assertEquals(StatusCode.STATUS_CODE_UNSET, send.statusCode());
    }

    private static void assertAsyncFailure(OtlpHttpReceiver receiver, int port) throws Exception {
        assertEquals(502, get(port, "/async-fails").statusCode());
        ReceivedSpan server = serverSpan(receiver, "GET /async-fails");
        ReceivedSpan bounce = only(receiver.awaitTrace(server.traceId(), 2, SPAN_TIMEOUT), "mail bounce");
        assertEquals(StatusCode.STATUS_CODE_ERROR, bounce.statusCode());
        Map<String, Object> event = OtlpAttributes.toMap(bounce.proto().getEvents(0).getAttributesList());
        assertEquals(IllegalArgumentException.class.getName(), event.get("exception.type"),
            "the CompletionException is unwrapped");
        assertEquals("no mailbox nobody@example.com", event.get("exception.message"));
    }

    private static void assertMethodList(OtlpHttpReceiver receiver, int port) throws Exception {
        assertEquals("charged card-1 2500", get(port, "/methods").body());
        ReceivedSpan server = serverSpan(receiver, "GET /methods");
        List<ReceivedSpan> trace = receiver.awaitTrace(server.traceId(), 4, SPAN_TIMEOUT);
        ReceivedSpan charge = only(trace, "CardGateway.charge");
        assertEquals(SpanKind.SPAN_KIND_INTERNAL, charge.kind());
        assertEquals("dev.plume.methods", charge.scope().getName());
        assertEquals(server.spanId(), charge.parentSpanId());
        assertEquals(Map.of("code.namespace", PACKAGE + "CardGateway", "code.function", "charge"), charge.attributes(),
            "named after the implementation, as the OpenTelemetry agent names it");
        assertEquals(charge.spanId(), only(trace, "Audit.record").parentSpanId());
        assertEquals(charge.spanId(), only(trace, "Audit.flush").parentSpanId());
        assertEquals(4, trace.size(), "no span for Audit's constructor: " + trace);
    }

    private static ReceivedSpan serverSpan(OtlpHttpReceiver receiver, String name) {
        return receiver.awaitSpan("the SERVER span " + name, OtlpHttpReceiver.named(name, SpanKind.SPAN_KIND_SERVER),
            SPAN_TIMEOUT);
    }

    private static ReceivedSpan only(List<ReceivedSpan> spans, String name) {
        List<ReceivedSpan> named = spans.stream().filter(span -> span.name().equals(name)).toList();
        assertEquals(1, named.size(), "one span named " + name + " in " + spans);
        return named.get(0);
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
