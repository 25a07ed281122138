package dev.plume.tests.smoke;

import dev.plume.tests.otlp.OtlpHttpReceiver;
import dev.plume.tests.otlp.ReceivedSpan;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A Spring Boot 3 service as commonly written (spring-boot3-data-app: Spring MVC on Tomcat, HikariCP over the local
 * PostgreSQL through JdbcTemplate, Spring Data Redis on Lettuce, a JedisPooled), skipped with a line saying so when
 * PostgreSQL or Redis is not on this machine. A request that misses the cache must give, under its SERVER span named
 * with the route, one CLIENT span per call: the cache GET (Lettuce), the SELECT (PostgreSQL through the pool), the cache
 * SET (Lettuce) and the counter INCR (Jedis); a request that hits the cache, the GET and the INCR. The owner's name,
 * stored in both, must not reach the backend.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SpringBootDataSmokeTest {
    private static final String SECRET_NAME = "Secret-Owner-4711";
    private static final Duration SPANS = Duration.ofSeconds(30);

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void eachDatabaseCallAndRedisCommandIsOneClientSpanUnderTheRequest() throws Exception {
        for (int port : List.of(5432, 6379)) {
            if (!LocalServers.listening(port)) {
                System.out.println("[spring-data] SKIPPED: nothing listens on 127.0.0.1:" + port
                    + " (PostgreSQL and Redis are both needed)");
                assumeTrue(false, "no server on 127.0.0.1:" + port);
            }
        }
        try (OtlpHttpReceiver receiver = OtlpHttpReceiver.start();
             AgentProcess app = AgentProcess.launch(InstalledJdks.all().get(0),
                     SmokeArtifacts.webAppJar("spring-boot3-data-app"))
                 .systemProperty("otel.exporter.otlp.endpoint", receiver.endpoint())
                 .systemProperty("otel.service.name", "spring-data")
                 .systemProperty("otel.bsp.schedule.delay", "100")
                 .systemProperty("server.port", "0")
                 .start()) {
            app.explainFailures(() -> {
                int port = app.awaitListeningPort(Duration.ofSeconds(90));
                assertEquals("reset", get(port, "/owners/reset"));
                assertEquals("owner-1 from database visit counted", get(port, "/owners/1"));
                assertEquals("owner-1 from cache visit counted", get(port, "/owners/1"));

                List<ReceivedSpan> servers = receiver.awaitSpans("the two SERVER spans of /owners/1", spans ->
                    servers(spans).size() >= 2, SPANS);
                List<ReceivedSpan> requests = servers(servers);
                ReceivedSpan missed = requests.get(0).startNanos() < requests.get(1).startNanos()
                    ? requests.get(0) : requests.get(1);
                ReceivedSpan hit = missed == requests.get(0) ? requests.get(1) : requests.get(0);
                assertEquals("GET /owners/{id}", missed.name());
                assertEquals("/owners/{id}", missed.attribute("http.route"));

                List<ReceivedSpan> all = children(receiver, missed, 4);
                // Jedis 6 and later open a connection with two pipelined CLIENT SETINFO commands: a real round trip,
                // traced as one span, seen on the request that makes the pool's first connection
                List<ReceivedSpan> calls = all.stream().filter(span -> !span.name().equals("PIPELINE CLIENT")).toList();
                for (ReceivedSpan setup : all) {
                    if (setup.name().equals("PIPELINE CLIENT")) {
                        assertTrue(((String) setup.attribute("db.query.text")).startsWith("CLIENT SETINFO"), setup.toString());
                    }
                }
                assertEquals(List.of("GET", "SELECT plume_data_owners", "SET", "INCR"),
                    calls.stream().map(ReceivedSpan::name).toList(), calls.toString());
                assertEquals("redis", calls.get(0).attribute("db.system.name"));
                assertEquals("GET owner:1", calls.get(0).attribute("db.query.text"));
                assertEquals("postgresql", calls.get(1).attribute("db.system.name"));
                assertEquals("test", calls.get(1).attribute("db.namespace"));
                assertEquals("SELECT name FROM plume_data_owners WHERE id = ?", calls.get(1).attribute("db.query.text"));
                assertTrue(((String) calls.get(2).attribute("db.query.text")).startsWith("SET owner:1 ?"),
                    calls.get(2).toString());
                assertEquals("INCR visits:1", calls.get(3).attribute("db.query.text"));
                assertEquals("dev.plume.lettuce", calls.get(0).scope().getName());
                assertEquals("dev.plume.jdbc", calls.get(1).scope().getName());
                assertEquals("dev.plume.jedis", calls.get(3).scope().getName());
                for (ReceivedSpan call : calls) {
                    assertEquals("127.0.0.1", call.attribute("server.address"), call.toString());
                }

                List<ReceivedSpan> cached = children(receiver, hit, 2);
                assertEquals(List.of("GET", "INCR"), cached.stream().map(ReceivedSpan::name).toList(), cached.toString());

                // log correlation: the controller's Logback line carries the request's ids (%X{trace_id}, ...)
                String logged = "trace_id=" + missed.traceId() + " span_id=" + missed.spanId()
                    + " trace_flags=01 OwnerController: owner 1 read from the database";
                assertTrue(app.stdoutLines().stream().anyMatch(line -> line.endsWith(logged)),
                    "no log line ending with: " + logged + "\n" + String.join("\n", app.stdoutLines()));
                assertTrue(app.stdoutLines().stream().anyMatch(line ->
                    line.contains("trace_id= span_id= trace_flags= DataApp: ready on port")),
                    "a line logged outside any span has empty ids: " + String.join("\n", app.stdoutLines()));

                // application code reading SLF4J's MDC directly sees the same ids
                String mdc = get(port, "/mdc");
                ReceivedSpan mdcServer = receiver.awaitSpan("the SERVER span of /mdc", span -> span.kind()
                    == Span.SpanKind.SPAN_KIND_SERVER && "/mdc".equals(span.attribute("url.path")), SPANS);
                assertEquals(mdcServer.traceId() + " " + mdcServer.spanId() + " 01 " + mdcServer.spanId(), mdc);

                for (ExportTraceServiceRequest export : receiver.requests()) {
                    assertFalse(export.toByteString().toString(StandardCharsets.UTF_8).contains(SECRET_NAME),
                        "a stored value reached the backend");
                }
            });
        }
    }

    private String get(int port, String path) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    private static List<ReceivedSpan> servers(List<ReceivedSpan> spans) {
        return spans.stream().filter(span -> span.kind() == Span.SpanKind.SPAN_KIND_SERVER
            && "/owners/1".equals(span.attribute("url.path"))).toList();
    }

    /** The CLIENT spans under {@code server}, in start order, once {@code count} of them arrived. */
    private static List<ReceivedSpan> children(OtlpHttpReceiver receiver, ReceivedSpan server, int count) {
        List<ReceivedSpan> spans = receiver.awaitSpans(count + " CLIENT spans under " + server.name(), all -> all.stream()
            .filter(span -> span.parentSpanId().equals(server.spanId())).count() >= count, SPANS);
        return spans.stream().filter(span -> span.kind() == Span.SpanKind.SPAN_KIND_CLIENT
                && span.parentSpanId().equals(server.spanId()))
            .sorted((a, b) -> Long.compare(a.startNanos(), b.startNanos())).toList();
    }
}
