package dev.plume.tests.smoke;

import dev.plume.tests.otlp.OtlpAttributes;
import dev.plume.tests.otlp.OtlpHttpReceiver;
import dev.plume.tests.otlp.ReceivedSpan;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.opentelemetry.proto.trace.v1.Status.StatusCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the http-app sample under the agent on every installed JDK and checks what an OTLP backend receives.
 *
 * <p>The request-shape tests share one app process per JDK and find their own spans by path, query or trace id;
 * the tests of settings and failure modes each start their own process.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HttpAppSmokeTest {

    private static final String JDKS = "dev.plume.tests.smoke.InstalledJdks#all";
    private static final Duration SPAN_TIMEOUT = Duration.ofSeconds(30);
    private static final String USER_AGENT = "plume-smoke-test";
    private static final String TRACEPARENT_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String TRACEPARENT_PARENT_ID = "00f067aa0ba902b7";
    private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern SPAN_ID = Pattern.compile("[0-9a-f]{16}");

    private static final Map<Jdk, TracedHttpApp> SHARED_APPS = new HashMap<>();
    private static final Map<Jdk, Throwable> SHARED_APP_FAILURES = new HashMap<>();

    @AfterAll
    static synchronized void stopSharedApps() {
        SHARED_APPS.values().forEach(TracedHttpApp::close);
        SHARED_APPS.clear();
        SHARED_APP_FAILURES.clear();
    }

    /** The shared app for this JDK, started on first use; a start-up failure is reported once and then rethrown. */
    private static synchronized TracedHttpApp sharedApp(Jdk jdk) {
        Throwable failure = SHARED_APP_FAILURES.get(jdk);
        if (failure != null) {
            String reason = String.valueOf(failure.getMessage()).strip().lines().findFirst().orElse("");
            throw new AssertionError("The shared http-app on " + jdk + " failed to start earlier: " + reason, failure);
        }
        TracedHttpApp app = SHARED_APPS.get(jdk);
        if (app == null) {
            try {
                app = TracedHttpApp.start(jdk, Map.of());
            } catch (RuntimeException | AssertionError e) {
                SHARED_APP_FAILURES.put(jdk, e);
                throw e;
            }
            SHARED_APPS.put(jdk, app);
            try {
                warmUp(app);
            } catch (AssertionError e) {
                SHARED_APP_FAILURES.put(jdk, e);
                throw e;
            }
        }
        return app;
    }

    /**
     * Waits for the first export of any span, so that an agent which exports nothing fails one test per JDK
     * instead of every test waiting out its own timeout.
     */
    private static void warmUp(TracedHttpApp app) {
        app.process().explainFailures(() -> {
            HttpResponse<String> response = app.get("/hello?case=warm-up");
            assertEquals(200, response.statusCode());
            assertEquals("hello", response.body());
            app.receiver().awaitSpans("any span (warm-up)", spans -> !spans.isEmpty(), SPAN_TIMEOUT);
        });
    }

    @Order(1)
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource(JDKS)
    void chainIsOneTraceOfServerClientServer(Jdk jdk) {
        assertChainTrace(sharedApp(jdk), "/chain");
    }

    @Order(2)
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource(JDKS)
    void asyncChainIsOneTraceOfServerClientServer(Jdk jdk) {
        assertChainTrace(sharedApp(jdk), "/chain-async");
    }

    @Order(3)
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource(JDKS)
    void serverErrorMarksTheSpanAsError(Jdk jdk) {
        TracedHttpApp app = sharedApp(jdk);
        app.process().explainFailures(() -> {
            HttpResponse<String> response = app.get("/fail");
            assertEquals(500, response.statusCode());
            assertEquals("failure", response.body());

            ReceivedSpan span = app.receiver().awaitSpan("SERVER span 'GET /fail'",
                    OtlpHttpReceiver.named("GET /fail", SpanKind.SPAN_KIND_SERVER), SPAN_TIMEOUT);

            assertAttributes(span, Map.of(
                    "http.request.method", "GET",
                    "url.path", "/fail",
                    "http.route", "/fail",
                    "http.response.status_code", 500L,
                    "error.type", "500"));
            assertEquals(StatusCode.STATUS_CODE_ERROR, span.statusCode(), span::toString);
        });
    }

    @Order(4)
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource(JDKS)
    void spanIsNamedAfterTheRouteNotThePath(Jdk jdk) {
        TracedHttpApp app = sharedApp(jdk);
        app.process().explainFailures(() -> {
            HttpResponse<String> response = app.get("/users/42?x=1");
            assertEquals(200, response.statusCode());
            assertEquals("user 42", response.body());

            ReceivedSpan span = app.receiver().awaitSpan("SERVER span for /users/42",
                    s -> s.kind() == SpanKind.SPAN_KIND_SERVER && "/users/42".equals(s.attribute("url.path")),
                    SPAN_TIMEOUT);

            assertEquals("GET /users", span.name(), span::toString);
            assertAttributes(span, Map.of(
                    "http.request.method", "GET",
                    "http.route", "/users",
                    "url.path", "/users/42",
                    "url.query", "x=1",
                    "http.response.status_code", 200L));
            assertEquals(StatusCode.STATUS_CODE_UNSET, span.statusCode(), span::toString);
        });
    }

    @Order(5)
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource(JDKS)
    void incomingTraceparentContinuesTheCallersTrace(Jdk jdk) {
        TracedHttpApp app = sharedApp(jdk);
        app.process().explainFailures(() -> {
            HttpResponse<String> response = app.get("/hello?case=traceparent",
                    "traceparent", "00-" + TRACEPARENT_TRACE_ID + "-" + TRACEPARENT_PARENT_ID + "-01");
            assertEquals(200, response.statusCode());
            assertEquals("hello", response.body());

            ReceivedSpan span = app.receiver().awaitSpan("SERVER span in trace " + TRACEPARENT_TRACE_ID,
                    s -> s.kind() == SpanKind.SPAN_KIND_SERVER && s.traceId().equals(TRACEPARENT_TRACE_ID),
                    SPAN_TIMEOUT);

            assertEquals("GET /hello", span.name(), span::toString);
            assertEquals(TRACEPARENT_PARENT_ID, span.parentSpanId(), span::toString);
            assertTrue(SPAN_ID.matcher(span.spanId()).matches(), span::toString);
            assertNotEquals(TRACEPARENT_PARENT_ID, span.spanId(), span::toString);
        });
    }

    @Order(6)
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource(JDKS)
    void malformedTraceparentStartsANewTrace(Jdk jdk) {
        TracedHttpApp app = sharedApp(jdk);
        // Each case: a query that identifies the request, and the traceparent it sends.
        Map<String, String> cases = Map.of(
                "case=malformed-ids", "00-zzzz-" + TRACEPARENT_PARENT_ID + "-01",
                "case=zero-trace-id", "00-00000000000000000000000000000000-" + TRACEPARENT_PARENT_ID + "-01",
                "case=zero-parent-id", "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01");
        app.process().explainFailures(() -> {
            for (Map.Entry<String, String> entry : cases.entrySet()) {
                HttpResponse<String> response = app.get("/hello?" + entry.getKey(), "traceparent", entry.getValue());
                assertEquals(200, response.statusCode(), entry::toString);
                assertEquals("hello", response.body(), entry::toString);
            }
            for (Map.Entry<String, String> entry : cases.entrySet()) {
                String query = entry.getKey();
                ReceivedSpan span = app.receiver().awaitSpan("SERVER span for /hello?" + query,
                        s -> s.kind() == SpanKind.SPAN_KIND_SERVER && query.equals(s.attribute("url.query")),
                        SPAN_TIMEOUT);
                String context = "traceparent " + entry.getValue() + " gave " + span;
                assertEquals("GET /hello", span.name(), context);
                assertTrue(span.isRoot(), context);
                assertValidTraceId(span.traceId(), context);
                assertTrue(!entry.getValue().contains(span.traceId()), context);
            }
        });
    }

    @Order(6)
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource(JDKS)
    void traceStateAndBaggageReachTheDownstreamServiceAndTwoTraceparentsAreNone(Jdk jdk) {
        TracedHttpApp app = sharedApp(jdk);
        String traceparent = "00-" + TRACEPARENT_TRACE_ID + "-" + TRACEPARENT_PARENT_ID + "-01";
        app.process().explainFailures(() -> {
            // two tracestate and two baggage headers are one list each
            HttpResponse<String> response = app.get("/chain-headers?case=propagation", "traceparent", traceparent,
                    "tracestate", "congo=t61rcWkgMzE", "tracestate", "rojo=00f067aa0ba902b7",
                    "baggage", "user=42", "baggage", "tier=gold;ttl=60");
            assertEquals(200, response.statusCode(), response.body());
            List<String> received = response.body().lines().toList();
            assertTrue(received.stream().anyMatch(line -> line.matches(
                    "traceparent: 00-" + TRACEPARENT_TRACE_ID + "-[0-9a-f]{16}-01")), response.body());
            assertFalse(received.contains("traceparent: " + traceparent), "the client span is the new parent");
            assertTrue(received.contains("tracestate: congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"), response.body());
            assertTrue(received.contains("baggage: user=42,tier=gold;ttl=60"), response.body());

            // two traceparent headers are no parent: a new trace, and no tracestate inherited
            HttpResponse<String> two = app.get("/chain-headers?case=two-parents", "traceparent", traceparent,
                    "traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                    "tracestate", "congo=t61rcWkgMzE");
            assertEquals(200, two.statusCode(), two.body());
            assertFalse(two.body().contains(TRACEPARENT_TRACE_ID), two.body());
            assertFalse(two.body().contains("0af7651916cd43dd8448eb211c80319c"), two.body());
            assertFalse(two.body().contains("tracestate"), two.body());

            // a tracestate that breaks the grammar is not passed on
            HttpResponse<String> badState = app.get("/chain-headers?case=bad-tracestate", "traceparent", traceparent,
                    "tracestate", "Congo=uppercase-key");
            assertEquals(200, badState.statusCode(), badState.body());
            assertTrue(badState.body().contains(TRACEPARENT_TRACE_ID), badState.body());
            assertFalse(badState.body().contains("tracestate"), badState.body());
        });
    }

    /**
     * The JDK client's headers go on its own request, not on a copy of the application's: a redirect it follows
     * starts a new internal request, which must carry them too; and a traceparent the application set itself is
     * replaced by the client span's, not sent beside it.
     */
    @Order(6)
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource(JDKS)
    void jdkClientHeadersSurviveARedirectAndReplaceTheApplicationsOwn(Jdk jdk) {
        TracedHttpApp app = sharedApp(jdk);
        app.process().explainFailures(() -> {
            for (String path : List.of("/chain-redirect", "/chain-own-traceparent")) {
                HttpResponse<String> response = app.get(path + "?case=in-place-headers");
                assertEquals(200, response.statusCode(), response.body());
                ReceivedSpan server = app.receiver().awaitSpan("SERVER span of " + path,
                        OtlpHttpReceiver.named("GET " + path, SpanKind.SPAN_KIND_SERVER), SPAN_TIMEOUT);
                List<ReceivedSpan> trace = app.receiver().awaitTrace(server.traceId(),
                        path.equals("/chain-redirect") ? 4 : 3, SPAN_TIMEOUT);
                ReceivedSpan client = onlyChild(trace, server);
                assertEquals(SpanKind.SPAN_KIND_CLIENT, client.kind(), client::toString);
                List<String> received = response.body().lines().filter(line -> line.startsWith("traceparent:"))
                        .toList();
                assertEquals(List.of("traceparent: 00-" + server.traceId() + "-" + client.spanId() + "-01"),
                        received, () -> path + ": the downstream got " + response.body() + "; trace " + trace);
                // every server span the call reached (the redirect's and its target's) is the client span's child
                List<ReceivedSpan> downstream = trace.stream().filter(span -> client.spanId()
                        .equals(span.parentSpanId())).toList();
                assertEquals(path.equals("/chain-redirect") ? 2 : 1, downstream.size(), trace::toString);
                downstream.forEach(span -> assertEquals(SpanKind.SPAN_KIND_SERVER, span.kind(), span::toString));
            }
        });
    }

    @Order(6)
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource(JDKS)
    void b3MultiHeadersInAndOutWhenConfigured(Jdk jdk) {
        try (TracedHttpApp app = TracedHttpApp.start(jdk, Map.of("otel.propagators", "b3multi"))) {
            app.process().explainFailures(() -> {
                HttpResponse<String> response = app.get("/chain-headers?case=b3", "X-B3-TraceId", TRACEPARENT_TRACE_ID,
                        "X-B3-SpanId", TRACEPARENT_PARENT_ID, "X-B3-Sampled", "1",
                        "traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
                assertEquals(200, response.statusCode(), response.body());
                List<String> received = response.body().lines().toList();
                assertTrue(received.contains("x-b3-traceid: " + TRACEPARENT_TRACE_ID), response.body());
                assertTrue(received.stream().anyMatch(line -> line.matches("x-b3-spanid: [0-9a-f]{16}")
                        && !line.endsWith(TRACEPARENT_PARENT_ID)), response.body());
                assertTrue(received.contains("x-b3-sampled: 1"), response.body());
                // only the configured propagator reads and writes: the W3C header was not the parent, nor sent on
                assertFalse(response.body().contains("traceparent"), response.body());
                ReceivedSpan server = app.receiver().awaitSpan("the SERVER span of /chain-headers?case=b3",
                        span -> span.kind() == SpanKind.SPAN_KIND_SERVER && "case=b3".equals(span.attribute("url.query")),
                        SPAN_TIMEOUT);
                assertEquals(TRACEPARENT_TRACE_ID, server.traceId(), server::toString);
                assertEquals(TRACEPARENT_PARENT_ID, server.parentSpanId(), server::toString);
            });
        }
    }

    @Order(7)
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource(JDKS)
    void resourceDescribesTheServiceAndProcess(Jdk jdk) {
        TracedHttpApp app = sharedApp(jdk);
        app.process().explainFailures(() -> {
            assertEquals(200, app.get("/hello?case=resource").statusCode());
            app.receiver().awaitSpan("SERVER span for /hello?case=resource",
                    s -> "case=resource".equals(s.attribute("url.query")), SPAN_TIMEOUT);

            List<ResourceSpans> all = app.receiver().resourceSpans();
            for (ResourceSpans resourceSpans : all) {
                Map<String, Object> resource = OtlpAttributes.toMap(resourceSpans.getResource().getAttributesList());
                String context = "resource " + resource;
                assertEquals(TracedHttpApp.SERVICE_NAME, resource.get("service.name"), context);
                assertEquals("smoke", resource.get("deployment.environment.name"), context);
                assertEquals("plume", resource.get("team"), context);
                assertEquals("java", resource.get("telemetry.sdk.language"), context);
                assertEquals("plume", resource.get("telemetry.distro.name"), context);
                assertEquals("linux", resource.get("os.type"), context);
                assertEquals(app.process().pid(), resource.get("process.pid"), context);
                assertInstanceOf(String.class, resource.get("process.runtime.version"), context);
                assertTrue(((String) resource.get("process.runtime.version")).startsWith(jdk.version()), context);
                assertNonEmptyString(resource.get("host.name"), context);
                assertNonEmptyString(resource.get("service.instance.id"), context);
            }
        });
    }

    @Order(8)
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource(JDKS)
    void agentLogsNoExceptions(Jdk jdk) {
        TracedHttpApp app = sharedApp(jdk);
        app.process().explainFailures(() -> {
            // Runs after the other shared-app tests, so their traffic is covered too.
            assertEquals(200, app.get("/hello?case=stderr").statusCode());
            app.receiver().awaitSpan("SERVER span for /hello?case=stderr",
                    s -> "case=stderr".equals(s.attribute("url.query")), SPAN_TIMEOUT);

            assertEquals(List.of(), app.process().exceptionLines(), "stack traces or exceptions on stderr");
        });
    }

    @Order(10)
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource(JDKS)
    void disabledAgentExportsNothing(Jdk jdk) {
        try (TracedHttpApp app = TracedHttpApp.start(jdk, Map.of("otel.javaagent.enabled", "false"))) {
            app.process().explainFailures(() -> {
                assertAppAnswersAsWithoutAgent(app);

                app.receiver().assertNothingReceivedWithin(Duration.ofMillis(1500));
                app.process().terminate(Duration.ofSeconds(20));
                assertEquals(List.of(), app.receiver().received(), "requests after shutdown");
                assertEquals(List.of(), app.process().exceptionLines(), "stack traces or exceptions on stderr");
            });
        }
    }

    @Order(11)
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource(JDKS)
    void invalidSettingIsReportedOnceAndReplaced(Jdk jdk) {
        try (TracedHttpApp app = TracedHttpApp.start(jdk, Map.of("otel.bsp.schedule.delay", "soon"))) {
            app.process().explainFailures(() -> {
                assertAppAnswersAsWithoutAgent(app);
                app.receiver().awaitSpan("SERVER span 'GET /hello'",
                        OtlpHttpReceiver.named("GET /hello", SpanKind.SPAN_KIND_SERVER), SPAN_TIMEOUT);

                List<String> lines = app.process().agentLogLines().stream()
                        .filter(line -> line.contains("otel.bsp.schedule.delay"))
                        .toList();
                assertEquals(1, lines.size(), "agent lines naming otel.bsp.schedule.delay: " + lines);
                String line = lines.get(0);
                assertTrue(line.contains("soon"), "the line names the invalid value: " + line);
                // The specified default schedule delay is 5000 ms.
                assertTrue(Pattern.compile("(?<![\\d.])(5000|5 ?s(ec(ond)?s?)?)(?![\\w.])").matcher(line).find(),
                        "the line names the value used instead (the 5000 ms default): " + line);
            });
        }
    }

    @Order(12)
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource(JDKS)
    void unreachableBackendDoesNotAffectTheApp(Jdk jdk) throws IOException {
        Map<String, String> settings = Map.of(
                "otel.exporter.otlp.endpoint", "http://127.0.0.1:" + closedPort(),
                "otel.exporter.otlp.timeout", "1000",
                "otel.bsp.export.timeout", "2000");
        try (TracedHttpApp app = TracedHttpApp.start(jdk, settings)) {
            app.process().explainFailures(() -> {
                for (int round = 0; round < 3; round++) {
                    assertAppAnswersAsWithoutAgent(app);
                }
                // A hang check, not a performance assertion: shutdown must give up on the dead backend.
                app.process().terminate(Duration.ofSeconds(20));
                assertEquals(List.of(), app.process().stderrLines().stream().filter(l -> l.startsWith("\tat ")).toList(),
                        "stack-trace frames on stderr");
            });
        }
    }

    private static void assertChainTrace(TracedHttpApp app, String path) {
        app.process().explainFailures(() -> {
            HttpResponse<String> response = app.get(path, "User-Agent", USER_AGENT);
            assertEquals(200, response.statusCode());
            assertEquals("hello", response.body());

            String name = "GET " + path;
            OtlpHttpReceiver receiver = app.receiver();
            ReceivedSpan server = receiver.awaitSpan("SERVER span '" + name + "'",
                    OtlpHttpReceiver.named(name, SpanKind.SPAN_KIND_SERVER), SPAN_TIMEOUT);
            List<ReceivedSpan> trace = receiver.awaitTrace(server.traceId(), 3, SPAN_TIMEOUT);

            assertEquals(1, receiver.spans(name, SpanKind.SPAN_KIND_SERVER).size(), receiver::summary);
            assertEquals(3, trace.size(), () -> "spans in the trace: " + trace);
            trace.forEach(span -> {
                assertValidTraceId(span.traceId(), span.toString());
                assertTrue(SPAN_ID.matcher(span.spanId()).matches() && !span.spanId().equals("0000000000000000"),
                        span::toString);
                assertEquals(StatusCode.STATUS_CODE_UNSET, span.statusCode(), span::toString);
                assertTrue(span.startNanos() > 0 && span.startNanos() <= span.endNanos(), span::toString);
            });
            assertTrue(server.isRoot(), server::toString);
            ReceivedSpan client = onlyChild(trace, server);
            ReceivedSpan inner = onlyChild(trace, client);

            assertEquals(SpanKind.SPAN_KIND_CLIENT, client.kind(), client::toString);
            assertEquals("GET", client.name(), client::toString);
            assertEquals(SpanKind.SPAN_KIND_SERVER, inner.kind(), inner::toString);
            assertEquals("GET /hello", inner.name(), inner::toString);

            long port = app.port();
            assertAttributes(server, Map.of(
                    "http.request.method", "GET",
                    "url.path", path,
                    "url.scheme", "http",
                    "http.route", path,
                    "server.address", "127.0.0.1",
                    "server.port", port,
                    "http.response.status_code", 200L,
                    "network.protocol.version", "1.1",
                    "user_agent.original", USER_AGENT,
                    "client.address", "127.0.0.1"));
            assertAttributes(client, Map.of(
                    "http.request.method", "GET",
                    "url.full", "http://127.0.0.1:" + port + "/hello",
                    "server.address", "127.0.0.1",
                    "server.port", port,
                    "http.response.status_code", 200L));
            assertAttributes(inner, Map.of(
                    "http.request.method", "GET",
                    "url.path", "/hello",
                    "http.route", "/hello",
                    "http.response.status_code", 200L));

            // The handler makes the call, so the client span lies within the outer server span.
            assertTrue(server.startNanos() <= client.startNanos() && client.endNanos() <= server.endNanos(),
                    () -> "client span not within its parent: " + trace);
            // The inner server span starts after the call starts and before its answer arrives. Its end is not
            // compared: the inner handler may still be returning when the client already has the response.
            assertTrue(client.startNanos() <= inner.startNanos() && inner.startNanos() <= client.endNanos(),
                    () -> "inner server span does not start within the client span: " + trace);
        });
    }

    /** Every endpoint answers exactly as it does without the agent. */
    private static void assertAppAnswersAsWithoutAgent(TracedHttpApp app) throws IOException, InterruptedException {
        Map<String, String> okBodies = Map.of(
                "/hello", "hello",
                "/chain", "hello",
                "/chain-async", "hello",
                "/users/42?x=1", "user 42");
        for (Map.Entry<String, String> entry : okBodies.entrySet()) {
            HttpResponse<String> response = app.get(entry.getKey());
            assertEquals(200, response.statusCode(), entry.getKey());
            assertEquals(entry.getValue(), response.body(), entry.getKey());
        }
        HttpResponse<String> failure = app.get("/fail");
        assertEquals(500, failure.statusCode(), "/fail");
        assertEquals("failure", failure.body(), "/fail");
    }

    private static ReceivedSpan onlyChild(List<ReceivedSpan> trace, ReceivedSpan parent) {
        List<ReceivedSpan> children = trace.stream().filter(s -> s.parentSpanId().equals(parent.spanId())).toList();
        assertEquals(1, children.size(), () -> "children of " + parent + " in " + trace);
        return children.get(0);
    }

    private static void assertAttributes(ReceivedSpan span, Map<String, Object> expected) {
        Map<String, Object> actual = span.attributes();
        expected.forEach((key, value) -> assertEquals(value, actual.get(key),
                () -> "attribute " + key + " of " + span));
    }

    private static void assertValidTraceId(String traceId, String context) {
        assertTrue(TRACE_ID.matcher(traceId).matches() && !traceId.equals("0".repeat(32)),
                () -> "invalid trace id " + traceId + ": " + context);
    }

    private static void assertNonEmptyString(Object value, String context) {
        assertTrue(value instanceof String text && !text.isBlank(), () -> "expected a non-empty string: " + context);
    }

    /** A local port nothing listens on: bound once to get a free number, then released. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
