package dev.plume.tests.smoke;

import dev.plume.tests.otlp.OtlpHttpReceiver;
import dev.plume.tests.otlp.ReceivedSpan;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Jedis and Lettuce against the machine's Redis server (skipped, with a line saying so, when none listens on 6379):
 * the newest versions (redis-app, default settings) and the oldest supported (redis-oldest-app: Jedis 4.0.0, Lettuce
 * 6.1.10, with the older attribute names and the sanitizer off), one app JVM each. Each runs redis-app's two
 * scenarios; every command must be one CLIENT span under the request's SERVER span (a Jedis pipeline or transaction
 * one span for its queued commands; Lettuce's sync, async and reactive calls alike), and no stored value may reach the
 * backend while the sanitizer is on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RedisSmokeTest {
    private static final String SECRET = "s3cret-value-4711";
    private static final int REDIS_PORT = 6379;
    private static final Duration SPANS = Duration.ofSeconds(30);
    private static final String JEDIS_BODY = "get-ok incr-ok pipeline-ok multi-ok wrongtype exists-ok down";
    private static final String LETTUCE_BODY = "get-ok async-ok reactive-ok pipeline-ok wrongtype";

    private final HttpClient client = HttpClient.newHttpClient();
    private boolean redisThere;

    @BeforeAll
    void checkServer() {
        redisThere = LocalServers.listening(REDIS_PORT);
        if (!redisThere) {
            System.out.println("[redis] SKIPPED: no Redis server on 127.0.0.1:" + REDIS_PORT);
        }
    }

    @AfterAll
    void done() {
        // each test closes its own app and receiver
    }

    @Test
    void newestJedisEveryCommandIsOneClientSpanAndNoValueIsExported() throws Exception {
        assumeTrue(redisThere, "no Redis server on 127.0.0.1:" + REDIS_PORT);
        try (OtlpHttpReceiver receiver = OtlpHttpReceiver.start();
             AgentProcess app = launch("redis-app", receiver).start()) {
            app.explainFailures(() -> {
                List<ReceivedSpan> clients = runScenario(app, receiver, "jedis", JEDIS_BODY, 16);
                ReceivedSpan set = first(clients, "SET", "SET plume:jedis:user ?");
                assertEquals("redis", set.attribute("db.system.name"));
                assertEquals("SET", set.attribute("db.operation.name"));
                assertEquals("127.0.0.1", set.attribute("server.address"));
                assertEquals((long) REDIS_PORT, set.attribute("server.port"));
                assertEquals("0", set.attribute("db.namespace"));
                assertNull(set.attribute("db.system"), "older names only on request");
                first(clients, "GET", "GET plume:jedis:user");
                first(clients, "HSET", "HSET plume:jedis:hash name ?");
                first(clients, "INCR", "INCR plume:jedis:counter");
                ReceivedSpan inDb2 = first(clients, "SET", "SET plume:jedis:db2 ?");
                assertEquals("2", inDb2.attribute("db.namespace"), inDb2.toString());

                ReceivedSpan sets = first(clients, "PIPELINE SET", null);
                assertEquals("PIPELINE SET", sets.attribute("db.operation.name"));
                assertEquals(3L, sets.attribute("db.operation.batch.size"));
                assertEquals("SET plume:jedis:p1 ?; SET plume:jedis:p2 ?; SET plume:jedis:p3 ?",
                    sets.attribute("db.query.text"));
                assertEquals("2", sets.attribute("db.namespace"));
                ReceivedSpan mixed = first(clients, "PIPELINE", null);
                assertEquals(3L, mixed.attribute("db.operation.batch.size"));
                assertEquals("SET plume:jedis:p4 ?; GET plume:jedis:p1; INCR plume:jedis:counter",
                    mixed.attribute("db.query.text"));
                ReceivedSpan multi = first(clients, "MULTI", null);
                assertEquals(2L, multi.attribute("db.operation.batch.size"), multi.toString());
                assertEquals("MULTI; SET plume:jedis:t1 ?; INCR plume:jedis:counter", multi.attribute("db.query.text"));
                first(clients, "EXEC", "EXEC");
                // no queued command has a span of its own
                assertEquals(0, clients.stream().filter(span -> "SET plume:jedis:p2 ?".equals(
                    span.attribute("db.query.text"))).count());

                ReceivedSpan wrongType = first(clients, "HGET", "HGET plume:jedis:string field");
                assertEquals(Status.StatusCode.STATUS_CODE_ERROR, wrongType.statusCode());
                assertEquals("WRONGTYPE", wrongType.attribute("db.response.status_code"));
                assertEquals("redis.clients.jedis.exceptions.JedisDataException", wrongType.attribute("error.type"));
                ReceivedSpan down = first(clients, "GET", "GET plume:jedis:down");
                assertEquals(Status.StatusCode.STATUS_CODE_ERROR, down.statusCode());
                assertEquals("redis.clients.jedis.exceptions.JedisConnectionException", down.attribute("error.type"));
                assertEquals(1L, down.attribute("server.port"));
                first(clients, "EXISTS", "EXISTS plume:jedis:none");

                List<ReceivedSpan> lettuce = runScenario(app, receiver, "lettuce", LETTUCE_BODY, 12);
                ReceivedSpan lettuceSet = first(lettuce, "SET", "SET plume:lettuce:user ?");
                assertEquals("127.0.0.1", lettuceSet.attribute("server.address"));
                assertEquals((long) REDIS_PORT, lettuceSet.attribute("server.port"));
                assertEquals("3", lettuceSet.attribute("db.namespace"), lettuceSet.toString());
                first(lettuce, "HSET", "HSET plume:lettuce:hash name ?");
                first(lettuce, "SET", "SET plume:lettuce:async ?");
                // the sync GET and the reactive GET of the same key
                assertEquals(2, lettuce.stream().filter(span -> "GET plume:lettuce:user".equals(
                    span.attribute("db.query.text"))).count());
                first(lettuce, "GET", "GET plume:lettuce:async");
                // Lettuce pipelines by flushing later: each command still has its own future, and its own span
                for (String key : List.of("p1", "p2", "p3")) {
                    first(lettuce, "SET", "SET plume:lettuce:" + key + " ?");
                }
                ReceivedSpan lettuceWrongType = first(lettuce, "HGET", "HGET plume:lettuce:string field");
                assertEquals(Status.StatusCode.STATUS_CODE_ERROR, lettuceWrongType.statusCode());
                assertEquals("WRONGTYPE", lettuceWrongType.attribute("db.response.status_code"));
                assertEquals("io.lettuce.core.RedisCommandExecutionException", lettuceWrongType.attribute("error.type"));
                assertTrue(lettuceWrongType.proto().getStatus().getMessage().isEmpty(), "message kept while sanitizing");

                for (ExportTraceServiceRequest export : receiver.requests()) {
                    assertFalse(export.toByteString().toString(StandardCharsets.UTF_8).contains(SECRET),
                        "a stored value reached the backend");
                }
                assertTrue(app.stderrLines().stream().noneMatch(line -> line.contains(SECRET)), "a value in the log");
            });
        }
    }

    @Test
    void oldestJedisWithTheOlderNamesAndTheSanitizerOff() throws Exception {
        assumeTrue(redisThere, "no Redis server on 127.0.0.1:" + REDIS_PORT);
        try (OtlpHttpReceiver receiver = OtlpHttpReceiver.start();
             AgentProcess app = launch("redis-oldest-app", receiver)
                 .systemProperty("otel.semconv-stability.opt-in", "database/dup")
                 .systemProperty("otel.instrumentation.common.db-statement-sanitizer.enabled", "false")
                 .start()) {
            app.explainFailures(() -> {
                List<ReceivedSpan> clients = runScenario(app, receiver, "jedis", JEDIS_BODY, 16);
                ReceivedSpan set = first(clients, "SET", "SET plume:jedis:user " + SECRET);
                assertEquals("redis", set.attribute("db.system"));
                assertEquals("SET", set.attribute("db.operation"));
                assertEquals("SET plume:jedis:user " + SECRET, set.attribute("db.statement"));
                assertEquals(0L, set.attribute("db.redis.database_index"));
                ReceivedSpan sets = first(clients, "PIPELINE SET", null);
                assertEquals(3L, sets.attribute("db.operation.batch.size"));
                assertEquals(2L, sets.attribute("db.redis.database_index"));
                first(clients, "MULTI", null);
                ReceivedSpan wrongType = first(clients, "HGET", "HGET plume:jedis:string field");
                assertEquals("WRONGTYPE", wrongType.attribute("db.response.status_code"));
                // with the sanitizer off, Redis's error message is kept
                assertFalse(wrongType.proto().getStatus().getMessage().isEmpty(), wrongType.toString());

                List<ReceivedSpan> lettuce = runScenario(app, receiver, "lettuce", LETTUCE_BODY, 12);
                ReceivedSpan lettuceSet = first(lettuce, "SET", "SET plume:lettuce:user " + SECRET);
                assertEquals("SET plume:lettuce:user " + SECRET, lettuceSet.attribute("db.statement"));
                assertEquals(3L, lettuceSet.attribute("db.redis.database_index"));
                first(lettuce, "HGET", "HGET plume:lettuce:string field");
            });
        }
    }

    private AgentProcess.Builder launch(String module, OtlpHttpReceiver receiver) {
        return AgentProcess.launch(InstalledJdks.all().get(0), SmokeArtifacts.webAppJar(module))
            .systemProperty("otel.exporter.otlp.endpoint", receiver.endpoint())
            .systemProperty("otel.service.name", module)
            .systemProperty("otel.bsp.schedule.delay", "100");
    }

    /**
     * Runs one scenario ({@code /redis/<client>}) and returns the CLIENT spans of its trace, once at least
     * {@code commands} of them arrived (and a moment more, for any that should not be there).
     */
    private List<ReceivedSpan> runScenario(AgentProcess app, OtlpHttpReceiver receiver, String client, String body,
                                           int commands) throws Exception {
        int port = app.awaitListeningPort(Duration.ofSeconds(60));
        String path = "/redis/" + client;
        HttpResponse<String> response = this.client.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(body, response.body());
        ReceivedSpan server = receiver.awaitSpan("the SERVER span of " + path,
            span -> span.kind() == Span.SpanKind.SPAN_KIND_SERVER && path.equals(span.attribute("url.path")),
            SPANS);
        receiver.awaitSpans("the Redis commands of " + path, spans -> spans.stream().filter(span ->
            span.kind() == Span.SpanKind.SPAN_KIND_CLIENT && span.traceId().equals(server.traceId())).count()
            >= commands, SPANS);
        Thread.sleep(300);
        List<ReceivedSpan> clients = receiver.spans().stream().filter(span ->
            span.kind() == Span.SpanKind.SPAN_KIND_CLIENT && span.traceId().equals(server.traceId())).toList();
        for (ReceivedSpan span : clients) {
            assertEquals(server.spanId(), span.parentSpanId(), "every command under the request: " + span);
            assertEquals("redis", span.attribute("db.system.name"), span.toString());
            assertEquals(span.name(), span.attribute("db.operation.name"), span.toString());
        }
        return clients;
    }

    /** The one span with this name (and query text, when not null); fails listing them all when there is none. */
    private static ReceivedSpan first(List<ReceivedSpan> spans, String name, String text) {
        List<ReceivedSpan> found = spans.stream().filter(span -> span.name().equals(name)
            && (text == null || text.equals(span.attribute("db.query.text")))).toList();
        StringBuilder all = new StringBuilder();
        for (ReceivedSpan span : spans) {
            all.append("\n  ").append(span);
        }
        assertEquals(1, found.size(), name + " " + text + " among:" + all);
        return found.get(0);
    }
}
