package dev.plume.tests.smoke;

import dev.plume.tests.otlp.OtlpHttpReceiver;
import dev.plume.tests.otlp.ReceivedSpan;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HttpURLConnection (plain, connect-first, POST with a streamed body, HTTPS with a self-signed certificate, under
 * Spring's RestTemplate), OkHttp (execute and enqueue) and Apache HttpClient 4.5 and 5 (classic and asynchronous:
 * HttpAsyncClient 4.1 and HttpClient 5's; 5 also under Spring's RestClient), Spring's WebClient (over Reactor Netty,
 * the JDK's client and HttpClient 5's asynchronous client: one span per exchange, the client below joining it; an
 * exchange cancelled by a timeout ends its span), and OkHttp around HttpURLConnection (one span, OkHttp's), each
 * calling a real JDK HTTP server in the app (http-clients-app): the newest versions, the oldest supported
 * (http-clients-oldest-app: OkHttp 3.4.2, HttpClient 4.5 and 5.0.4, HttpAsyncClient 4.1) and OkHttp 4.12.0 (with B3
 * headers only, otel.propagators=b3multi), one app JVM each; the JDK's own client classes on every other installed JDK
 * too. Every call must be one CLIENT span under the request's SERVER span with the stable HTTP attributes, ERROR for
 * 404, 500 and a refused connection, credentials and signed-URL parameters redacted everywhere, and the downstream
 * request's SERVER span its child: one trace per hop.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HttpClientsSmokeTest {
    private static final Duration SPANS = Duration.ofSeconds(30);
    private static final List<String> CASES = List.of("ok", "missing", "fail", "redirect", "secret", "refused");
    private static final List<String> JDK_CLIENTS = List.of("huc", "huc-stream", "huc-post", "huc-https",
        "resttemplate");
    private static final Map<String, String> STATUS = Map.of("ok", "200", "missing", "404", "fail", "500",
        "redirect", "200", "secret", "200");
    /** The clients that take credentials in the URL (the others are given the URL without them). */
    private static final List<String> WITH_CREDENTIALS = List.of("huc", "huc-stream", "okhttp", "okhttp-async");

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void newestClients() throws Exception {
        List<String> clients = new ArrayList<>(JDK_CLIENTS);
        clients.addAll(List.of("okhttp", "okhttp-async", "apache4", "apache4-async", "apache5", "apache5-async",
            "restclient-apache5", "webclient", "webclient-elastic", "webclient-jdk", "webclient-apache5",
            "nested-okhttp-huc"));
        run("http-clients-app", InstalledJdks.all().get(0), clients);
    }

    @Test
    void oldestClients() throws Exception {
        run("http-clients-oldest-app", InstalledJdks.all().get(0),
            List.of("huc", "okhttp", "okhttp-async", "apache4", "apache4-async", "apache5", "apache5-async"));
    }

    /**
     * With B3 propagation only: the clients send what otel.propagators names, and the downstream server, which then
     * reads only those headers, still makes its span the CLIENT span's child.
     */
    @Test
    void okHttp4WithB3() throws Exception {
        run("http-clients-okhttp4-app", InstalledJdks.all().get(0), List.of("okhttp", "okhttp-async", "huc", "apache5"),
            "b3multi");
    }

    /** The JDK's client classes are the JDK's own: every other installed JDK gets the HttpURLConnection cases. */
    @Test
    void httpUrlConnectionOnEveryOtherJdk() throws Exception {
        List<Jdk> jdks = InstalledJdks.all();
        for (Jdk jdk : jdks.subList(1, jdks.size())) {
            run("http-clients-app", jdk, JDK_CLIENTS);
        }
    }

    private void run(String module, Jdk jdk, List<String> clients) throws Exception {
        run(module, jdk, clients, "tracecontext,baggage");
    }

    private void run(String module, Jdk jdk, List<String> clients, String propagators) throws Exception {
        try (OtlpHttpReceiver receiver = OtlpHttpReceiver.start();
             AgentProcess app = AgentProcess.launch(jdk, SmokeArtifacts.webAppJar(module))
                 .systemProperty("otel.exporter.otlp.endpoint", receiver.endpoint())
                 .systemProperty("otel.service.name", module)
                 .systemProperty("otel.bsp.schedule.delay", "100")
                 .systemProperty("otel.propagators", propagators)
                 .start()) {
            app.explainFailures(() -> {
                int port = app.awaitListeningPort(Duration.ofSeconds(60));
                List<String[]> calls = new ArrayList<>();
                for (String name : clients) {
                    // a body streamed in fixed-length mode cannot be sent again, so HttpURLConnection follows no redirect
                    for (String testCase : name.equals("huc-https") ? List.of("ok", "missing")
                        : name.equals("huc-post") ? List.of("ok", "missing", "fail", "secret", "refused") : CASES) {
                        String path = "/call/" + name + "/" + testCase;
                        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
                        assertEquals(200, response.statusCode(), path + ": " + response.body());
                        String prefix = name + " " + testCase + " ";
                        assertTrue(response.body().startsWith(prefix), path + ": " + response.body());
                        String outcome = response.body().substring(prefix.length());
                        if (!testCase.equals("refused")) {
                            assertEquals(STATUS.get(testCase), outcome, path + " on " + jdk);
                        } else {
                            // WebClient reports a failed connection as its own exception, which the span names too
                            assertTrue(outcome.contains(name.startsWith("webclient") ? "WebClientRequestException"
                                : "Connect"), path + ": " + outcome);
                        }
                        calls.add(new String[] {name, testCase, path, outcome});
                    }
                }
                List<String> cancelled = new ArrayList<>();
                for (String name : clients) {
                    if (name.startsWith("webclient") && !name.equals("webclient-elastic")) {
                        String path = "/call/" + name + "/slow";
                        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
                        assertEquals(name + " slow timeout", response.body(), path);
                        cancelled.add(path);
                    }
                }
                for (String path : cancelled) {
                    assertCancelled(receiver, port, path);
                }
                for (String[] call : calls) {
                    assertCall(receiver, port, call[0], call[1], call[2], call[3]);
                }
                for (ExportTraceServiceRequest export : receiver.requests()) {
                    String bytes = export.toByteString().toString(StandardCharsets.UTF_8);
                    assertFalse(bytes.contains("s3cret"), "a credential or signature reached the backend");
                }
                assertTrue(app.agentLogLines().stream().noneMatch(line -> line.contains("not fit")
                    || line.contains("could not")), String.join("\n", app.agentLogLines()));
            });
        }
    }

    /** A WebClient exchange given up on (a timeout cancels it): its span ends then, under the request, no status. */
    private static void assertCancelled(OtlpHttpReceiver receiver, int port, String path) {
        ReceivedSpan server = receiver.awaitSpan("the SERVER span of " + path,
            span -> span.kind() == Span.SpanKind.SPAN_KIND_SERVER && path.equals(span.attribute("url.path")), SPANS);
        ReceivedSpan span = receiver.awaitSpan(path + ": its CLIENT span", other -> other.kind()
            == Span.SpanKind.SPAN_KIND_CLIENT && other.traceId().equals(server.traceId()), SPANS);
        assertEquals(server.spanId(), span.parentSpanId(), path + ": under the request " + span);
        assertEquals("http://127.0.0.1:" + port + "/downstream/slow", span.attribute("url.full"), span.toString());
        assertNull(span.attribute("http.response.status_code"), span.toString());
        assertEquals(Status.StatusCode.STATUS_CODE_UNSET, span.statusCode(), span.toString());
        assertTrue(span.endNanos() - span.startNanos() < TimeUnit.SECONDS.toNanos(3), "ended when cancelled: " + span);
        assertTrue(server.endNanos() >= span.endNanos(), "ended before the request that gave up on it: " + span);
    }

    private static void assertCall(OtlpHttpReceiver receiver, int port, String name, String testCase, String path,
                                   String outcome) {
        ReceivedSpan server = receiver.awaitSpan("the SERVER span of " + path,
            span -> span.kind() == Span.SpanKind.SPAN_KIND_SERVER && path.equals(span.attribute("url.path")), SPANS);
        boolean refused = testCase.equals("refused");
        int downstreamCount = refused ? 0 : testCase.equals("redirect") ? 2 : 1;
        List<ReceivedSpan> trace = receiver.awaitSpans(path + ": its CLIENT span and " + downstreamCount
            + " downstream SERVER spans", spans -> spans.stream().filter(span -> span.traceId().equals(server.traceId())
            && (span.kind() == Span.SpanKind.SPAN_KIND_CLIENT || span != server)).count() >= 1 + downstreamCount,
            SPANS).stream().filter(span -> span.traceId().equals(server.traceId())).toList();
        List<ReceivedSpan> clientSpans = trace.stream().filter(span -> span.kind() == Span.SpanKind.SPAN_KIND_CLIENT)
            .toList();
        assertEquals(1, clientSpans.size(), path + ": one CLIENT span, even under Spring: " + trace);
        ReceivedSpan span = clientSpans.get(0);
        assertEquals(server.spanId(), span.parentSpanId(), path + ": under the request " + span);
        String method = name.equals("huc-post") ? "POST" : "GET";
        assertEquals(method, span.name(), span.toString());
        assertEquals(method, span.attribute("http.request.method"), span.toString());
        assertEquals("127.0.0.1", span.attribute("server.address"), span.toString());
        String expectedUrl;
        if (name.equals("huc-https")) {
            assertTrue(String.valueOf(span.attribute("url.full")).startsWith("https://127.0.0.1:"), span.toString());
            assertTrue(String.valueOf(span.attribute("url.full")).endsWith("/downstream/" + testCase), span.toString());
            expectedUrl = null;
        } else if (refused) {
            assertEquals(1L, span.attribute("server.port"), span.toString());
            expectedUrl = "http://127.0.0.1:1/downstream/ok";
        } else {
            assertEquals((long) port, span.attribute("server.port"), span.toString());
            expectedUrl = testCase.equals("secret")
                ? "http://" + (WITH_CREDENTIALS.contains(name) ? "REDACTED:REDACTED@" : "") + "127.0.0.1:" + port
                  + "/downstream/ok?color=blue&sig=REDACTED&X-Amz-Signature=REDACTED&token=REDACTED"
                : "http://127.0.0.1:" + port + "/downstream/" + testCase;
        }
        if (expectedUrl != null) {
            assertEquals(expectedUrl, span.attribute("url.full"), span.toString());
        }
        if (refused) {
            assertEquals(Status.StatusCode.STATUS_CODE_ERROR, span.statusCode(), span.toString());
            assertEquals(outcome, span.attribute("error.type"), span.toString());
            assertNull(span.attribute("http.response.status_code"), span.toString());
            assertTrue(span.proto().getEventsList().stream().anyMatch(event -> event.getName().equals("exception")),
                "the exception recorded: " + span);
            return;
        }
        long status = Long.parseLong(STATUS.get(testCase));
        assertEquals(status, span.attribute("http.response.status_code"), span.toString());
        if (!name.startsWith("webclient")) {
            assertEquals("1.1", span.attribute("network.protocol.version"), span.toString());
        }
        if (name.startsWith("nested-okhttp")) {
            // the outer library's span; the inner client sent its context (the downstream spans are its children)
            assertEquals("dev.plume.okhttp", span.scope().getName(), span.toString());
        } else if (name.startsWith("webclient")) {
            // one span for the exchange, whatever the connector below: the JDK's or HttpClient 5's client joins it
            assertEquals("dev.plume.spring-webflux", span.scope().getName(), span.toString());
        }
        if (status >= 400) {
            assertEquals(Status.StatusCode.STATUS_CODE_ERROR, span.statusCode(), span.toString());
            assertEquals(STATUS.get(testCase), span.attribute("error.type"), span.toString());
        } else {
            assertEquals(Status.StatusCode.STATUS_CODE_UNSET, span.statusCode(), span.toString());
            assertNull(span.attribute("error.type"), span.toString());
        }
        if (testCase.equals("redirect") && (name.startsWith("okhttp") || name.startsWith("huc")
            || name.equals("resttemplate") || name.equals("apache4") || name.equals("apache5")
            || name.equals("restclient-apache5"))) {
            assertEquals(1L, span.attribute("http.request.resend_count"), span.toString());
        }
        List<ReceivedSpan> downstream = trace.stream().filter(other -> other.kind() == Span.SpanKind.SPAN_KIND_SERVER
            && String.valueOf(other.attribute("url.path")).startsWith("/downstream/")).toList();
        assertEquals(downstreamCount, downstream.size(), path + ": " + trace);
        for (ReceivedSpan hop : downstream) {
            assertEquals(span.spanId(), hop.parentSpanId(), path + ": the downstream request is the CLIENT span's child "
                + hop);
        }
        assertNotNull(span.attribute("url.full"));
    }
}
