package dev.plume.tests.smoke;

import dev.plume.tests.otlp.OtlpHttpReceiver;
import dev.plume.tests.otlp.ReceivedSpan;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.Status.StatusCode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One web sample app (smoke-apps' common endpoints) in its own JVM, under the agent or without it, and the checks every
 * web app's traces must pass: a SERVER span per request named with its route, W3C context extracted, work handed to
 * executors, futures, {@code @Async} and virtual threads joining the request's trace, errors and exceptions, no second
 * span for an error dispatch, ignored paths untraced, and the app answering exactly as it does without the agent.
 */
final class WebAppScenario implements AutoCloseable {
    static final Duration STARTUP = Duration.ofSeconds(120);
    static final Duration SPANS = Duration.ofSeconds(30);
    static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String PARENT_ID = "00f067aa0ba902b7";
    /** The endpoints whose answers must be the same with and without the agent. */
    static final List<String> ENDPOINTS = List.of("/hello", "/owners/7", "/owners/7/pets/3", "/executor", "/scheduled",
        "/invoke-all", "/fork-join", "/future", "/virtual", "/async", "/async-servlet", "/throws", "/handled", "/health",
        "/missing", "/headers");

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();

    private final OtlpHttpReceiver receiver;
    private final AgentProcess process;
    private final int port;
    final Jdk jdk;

    private WebAppScenario(OtlpHttpReceiver receiver, AgentProcess process, int port, Jdk jdk) {
        this.receiver = receiver;
        this.process = process;
        this.port = port;
        this.jdk = jdk;
    }

    /**
     * Starts the app under the agent, exporting to a receiver of its own; health paths ignored; {@code properties} are
     * more system properties, as key, value pairs.
     */
    static WebAppScenario traced(String module, Jdk jdk, String... properties) {
        OtlpHttpReceiver receiver = OtlpHttpReceiver.start();
        AgentProcess.Builder launch = AgentProcess.launch(jdk, SmokeArtifacts.webAppJar(module))
            .systemProperty("otel.exporter.otlp.endpoint", receiver.endpoint())
            .systemProperty("otel.service.name", module)
            .systemProperty("otel.bsp.schedule.delay", "100")
            .systemProperty("plume.http.server.ignore.paths", "/health,/actuator/*")
            .systemProperty("app.exit.on.stdin.eof", "true");
        for (int i = 0; i + 1 < properties.length; i += 2) {
            launch.systemProperty(properties[i], properties[i + 1]);
        }
        return start(launch, receiver, jdk);
    }

    /** Starts the app without any agent, to compare its answers. */
    static WebAppScenario untraced(String module, Jdk jdk) {
        return start(AgentProcess.launch(jdk, SmokeArtifacts.webAppJar(module)).withoutAgent()
            .systemProperty("app.exit.on.stdin.eof", "true"), null, jdk);
    }

    private static WebAppScenario start(AgentProcess.Builder launch, OtlpHttpReceiver receiver, Jdk jdk) {
        AgentProcess process = launch.start();
        try {
            return new WebAppScenario(receiver, process, process.awaitListeningPort(STARTUP), jdk);
        } catch (RuntimeException | AssertionError e) {
            process.close();
            if (receiver != null) {
                receiver.close();
            }
            throw e;
        }
    }

    AgentProcess process() {
        return process;
    }

    OtlpHttpReceiver receiver() {
        return receiver;
    }

    HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(20)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every endpoint's status and body, as the comparison with and without the agent sees them. */
    Map<String, String> answers() throws Exception {
        Map<String, String> answers = new LinkedHashMap<>();
        for (String path : ENDPOINTS) {
            HttpResponse<String> response = get(path);
            // error pages carry timestamps and ids: their status, and that they have a body, is the behaviour
            String body = response.statusCode() >= 500 || path.equals("/missing")
                ? (response.body().isEmpty() ? "" : "<body>") : response.body();
            answers.put(path, response.statusCode() + " " + body);
        }
        return answers;
    }

    /** The SERVER span of the one request to {@code path} (by {@code url.path}), waiting for it. */
    ReceivedSpan serverSpan(String path) {
        return receiver.awaitSpan("the SERVER span of " + path, span -> span.kind() == SpanKind.SPAN_KIND_SERVER
            && path.equals(span.attribute("url.path")), SPANS);
    }

    /** The request's SERVER span for a GET, with its method and route attributes checked. */
    ReceivedSpan assertRouted(String path, String route) throws Exception {
        assertEquals(200, get(path).statusCode());
        ReceivedSpan span = serverSpan(path);
        assertEquals("GET " + route, span.name(), span.toString());
        assertEquals(route, span.attribute("http.route"));
        assertEquals("GET", span.attribute("http.request.method"));
        assertEquals(200L, span.attribute("http.response.status_code"));
        assertEquals("http", span.attribute("url.scheme"));
        assertEquals("127.0.0.1", span.attribute("server.address"));
        assertEquals((long) port, span.attribute("server.port"));
        assertEquals("1.1", span.attribute("network.protocol.version"));
        assertNotNull(span.attribute("client.address"));
        assertEquals("dev.plume.servlet", span.scope().getName());
        return span;
    }

    /** A W3C parent from the request headers becomes the SERVER span's parent. */
    void assertContextExtracted() throws Exception {
        assertEquals(200, get("/owners/42", "traceparent", "00-" + TRACE_ID + "-" + PARENT_ID + "-01").statusCode());
        ReceivedSpan span = serverSpan("/owners/42");
        assertEquals(TRACE_ID, span.traceId());
        assertEquals(PARENT_ID, span.parentSpanId());
    }

    /**
     * Requests served at the same time each keep their own trace: {@code requests} requests to {@code /owners/{id}},
     * {@code parallel} in flight at once, each under a remote parent of its own, each one SERVER span of that trace
     * (a tracing state handed from one thread to the next must carry nothing of the request before).
     */
    void assertConcurrentRequestsKeepTheirTraces(int requests, int parallel) throws Exception {
        for (int first = 0; first < requests; first += parallel) {
            List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
            for (int i = first; i < Math.min(requests, first + parallel); i++) {
                URI uri = URI.create("http://127.0.0.1:" + port + "/owners/" + (1000 + i));
                HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                    .header("traceparent", "00-" + concurrentTraceId(i) + "-" + concurrentParentId(i) + "-01")
                    .GET().build();
                inFlight.add(CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
            }
            for (java.util.concurrent.CompletableFuture<HttpResponse<String>> response : inFlight) {
                assertEquals(200, response.get().statusCode());
            }
        }
        for (int i = 0; i < requests; i++) {
            String path = "/owners/" + (1000 + i);
            ReceivedSpan span = serverSpan(path);
            assertEquals(concurrentTraceId(i), span.traceId(), path);
            assertEquals(concurrentParentId(i), span.parentSpanId(), path);
        }
        long servers = receiver.spans().stream().filter(s -> s.kind() == SpanKind.SPAN_KIND_SERVER
            && String.valueOf(s.attribute("url.path")).matches("/owners/1\\d{3}")).count();
        assertEquals(requests, servers, "one SERVER span a request");
    }

    private static String concurrentTraceId(int i) {
        return String.format("%016x%016x", 0x5eed_0000_0000_0001L, i + 1L);
    }

    private static String concurrentParentId(int i) {
        return String.format("%016x", 0x0abc_0000_0000_0001L + i);
    }

    /**
     * Work the handler handed to another thread makes its downstream call in the request's trace: the trace is
     * SERVER {@code path} -> CLIENT -> SERVER {@code /hello}, and nothing else of it is a root.
     */
    void assertDownstreamJoinsTheTrace(String path, int downstreamCalls) throws Exception {
        HttpResponse<String> response = get(path);
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        ReceivedSpan server = serverSpan(path);
        List<ReceivedSpan> trace = receiver.awaitTrace(server.traceId(), 1 + 2 * downstreamCalls, SPANS);
        List<ReceivedSpan> clients = trace.stream().filter(s -> s.kind() == SpanKind.SPAN_KIND_CLIENT).toList();
        assertEquals(downstreamCalls, clients.size(), path + ": " + trace);
        for (ReceivedSpan client : clients) {
            assertEquals(server.spanId(), client.parentSpanId(), path + ": the CLIENT span's parent is the request");
            ReceivedSpan downstream = trace.stream().filter(s -> s.kind() == SpanKind.SPAN_KIND_SERVER
                && client.spanId().equals(s.parentSpanId())).findFirst().orElseThrow(() ->
                new AssertionError(path + ": no downstream SERVER span under " + client + " in " + trace));
            assertEquals("GET /hello", downstream.name());
        }
        assertEquals(1, trace.stream().filter(ReceivedSpan::isRoot).count(), path + ": one root: " + trace);
    }

    /** An exception that escapes: 500, ERROR, the exception as an event, and one SERVER span (no error dispatch). */
    void assertEscapedException(String route) throws Exception {
        assertEquals(500, get("/throws").statusCode());
        ReceivedSpan span = serverSpan("/throws");
        assertEquals("GET " + route, span.name());
        assertEquals(StatusCode.STATUS_CODE_ERROR, span.statusCode());
        assertEquals(500L, span.attribute("http.response.status_code"));
        assertEquals("java.lang.IllegalStateException", span.attribute("error.type"));
        assertEquals(List.of("java.lang.IllegalStateException"), exceptionTypes(span));
        Thread.sleep(500); // an error dispatch would have made its span by now
        List<ReceivedSpan> servers = receiver.spans().stream().filter(s -> s.kind() == SpanKind.SPAN_KIND_SERVER
            && s.traceId().equals(span.traceId())).toList();
        assertEquals(1, servers.size(), "one SERVER span for the request, none for the error page: " + servers);
    }

    /** A handled exception: the response's status (a client error, not ERROR), the exception still recorded. */
    void assertHandledException(boolean recorded) throws Exception {
        assertEquals(404, get("/handled").statusCode());
        ReceivedSpan span = serverSpan("/handled");
        assertEquals(404L, span.attribute("http.response.status_code"));
        assertFalse(span.statusCode() == StatusCode.STATUS_CODE_ERROR, "4xx is the client's error");
        assertEquals(recorded ? List.of("dev.plume.smoke." + packageOf(span) + ".OwnerNotFoundException") : List.of(),
            exceptionTypes(span));
    }

    /** A path nothing maps: 404, and no route (the span is named by the method alone). */
    void assertUnmatchedPath() throws Exception {
        assertEquals(404, get("/missing").statusCode());
        ReceivedSpan span = serverSpan("/missing");
        assertEquals("GET", span.name());
        assertNull(span.attribute("http.route"));
        assertEquals(404L, span.attribute("http.response.status_code"));
    }

    /** An asynchronous request's span ends when the response completes, with its status. */
    void assertAsyncRequestEnds() throws Exception {
        HttpResponse<String> response = get("/async-servlet");
        assertEquals(200, response.statusCode());
        ReceivedSpan span = serverSpan("/async-servlet");
        assertEquals(200L, span.attribute("http.response.status_code"));
        assertTrue(span.endNanos() >= span.startNanos());
    }

    /** Ignored paths make no span at all. */
    void assertIgnoredPathsAreUntraced() throws Exception {
        assertEquals(200, get("/health").statusCode());
        assertEquals(200, get("/hello?after=health").statusCode());
        receiver.awaitSpan("the request after /health", span -> "after=health".equals(span.attribute("url.query")),
            SPANS);
        assertTrue(receiver.spans().stream().noneMatch(span -> "/health".equals(span.attribute("url.path"))),
            "an ignored path made a span");
    }

    private static List<String> exceptionTypes(ReceivedSpan span) {
        List<String> types = new ArrayList<>();
        span.proto().getEventsList().stream().filter(event -> event.getName().equals("exception"))
            .forEach(event -> event.getAttributesList().stream().filter(a -> a.getKey().equals("exception.type"))
                .forEach(a -> types.add(a.getValue().getStringValue())));
        return types;
    }

    private static String packageOf(ReceivedSpan span) {
        String service = String.valueOf(span.resourceAttributes().get("service.name"));
        return service.startsWith("spring-boot3") ? "boot3" : service.startsWith("spring-boot4") ? "boot4" : "tomcat9";
    }

    static Predicate<ReceivedSpan> server() {
        return span -> span.kind() == SpanKind.SPAN_KIND_SERVER;
    }

    @Override
    public void close() {
        try {
            process.close();
        } finally {
            if (receiver != null) {
                receiver.close();
            }
        }
    }
}
