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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * JDBC against real databases: H2 in memory, and the PostgreSQL and MariaDB servers of the machine (a server that is
 * not there skips its cases, with a line saying so), each directly and through HikariCP. One jdbc-app JVM under the
 * agent serves every case; each request runs the app's scenario (DDL, a prepared batch, a plain query with literals, a
 * prepared query twice, a syntax error, a key violation) and must give one CLIENT span per database call, under the
 * request's SERVER span, on the stable conventions, with no literal in anything exported. A second app JVM checks the
 * two switches: the older attribute names on request, and the raw text when the sanitizer is turned off.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class JdbcSmokeTest {
    private static final String SECRET = "s3cret-literal-4711";
    private static final Duration SPANS = Duration.ofSeconds(30);
    /** System, port of its server (0: in process), db.namespace, SQLSTATE of the syntax error and of the violation. */
    private static final List<Object[]> SYSTEMS = List.of(
        new Object[] {"h2", 0, "plume", "42001", "23505"},
        new Object[] {"postgresql", 5432, "test", "42601", "23505"},
        new Object[] {"mariadb", 3306, "test", "42000", "23000"});

    private final HttpClient client = HttpClient.newHttpClient();
    private OtlpHttpReceiver receiver;
    private AgentProcess app;
    private int port;

    @BeforeAll
    void startApp() {
        receiver = OtlpHttpReceiver.start();
        app = AgentProcess.launch(InstalledJdks.all().get(0), SmokeArtifacts.webAppJar("jdbc-app"))
            .systemProperty("otel.exporter.otlp.endpoint", receiver.endpoint())
            .systemProperty("otel.service.name", "jdbc-app")
            .systemProperty("otel.bsp.schedule.delay", "100")
            .start();
        port = app.awaitListeningPort(Duration.ofSeconds(60));
    }

    @AfterAll
    void stopApp() {
        if (app != null) {
            app.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Object[] system : SYSTEMS) {
            for (String mode : List.of("direct", "hikari")) {
                cases.add(Arguments.of(system[0], mode, system[1], system[2], system[3], system[4]));
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "[{index}] {0} {1}")
    @MethodSource("cases")
    void eachDatabaseCallIsOneClientSpanUnderTheRequest(String system, String mode, int serverPort, String namespace,
                                                        String syntaxState, String violationState) throws Exception {
        if (serverPort > 0 && !LocalServers.listening(serverPort)) {
            System.out.println("[jdbc] SKIPPED " + system + " " + mode + ": no server on 127.0.0.1:" + serverPort);
            assumeTrue(false, "no " + system + " server on 127.0.0.1:" + serverPort);
        }
        app.explainFailures(() -> {
            String path = "/db/" + system + "/" + mode;
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            assertEquals("owner-1 " + SECRET + " owner-3 1 2 syntax-error violation", response.body());

            ReceivedSpan server = receiver.awaitSpan("the SERVER span of " + path,
                span -> span.kind() == Span.SpanKind.SPAN_KIND_SERVER && path.equals(span.attribute("url.path")),
                SPANS);
            String table = "plume_owners_" + mode;
            List<ReceivedSpan> calls = receiver.awaitSpans("the 8 database calls of " + path,
                spans -> clientSpans(spans, server).size() >= 8, SPANS);
            List<ReceivedSpan> clients = clientSpans(calls, server);
            // one span per call: the pool's proxy and the driver's statement under it make one
            assertEquals(1, named(clients, "BATCH INSERT " + table).size(), describe(clients));
            assertEquals(1, named(clients, "CREATE " + table).size(), describe(clients));
            assertEquals(1, named(clients, "DELETE " + table).size(), describe(clients));
            assertEquals(3, named(clients, "SELECT " + table).size(), describe(clients));
            assertEquals(1, named(clients, "INSERT " + table).size(), describe(clients));
            assertEquals(1, named(clients, namespace).size(), describe(clients));

            for (ReceivedSpan span : clients) {
                assertEquals(system, span.attribute("db.system.name"), span.toString());
                assertEquals(namespace, span.attribute("db.namespace"), span.toString());
                if (serverPort > 0) {
                    assertEquals("127.0.0.1", span.attribute("server.address"), span.toString());
                    assertEquals((long) serverPort, span.attribute("server.port"), span.toString());
                }
            }
            ReceivedSpan batch = named(clients, "BATCH INSERT " + table).get(0);
            assertEquals("INSERT INTO " + table + " (id, name) VALUES (?, ?)", batch.attribute("db.query.text"));
            assertEquals("BATCH INSERT", batch.attribute("db.operation.name"));
            assertEquals(table, batch.attribute("db.collection.name"));
            assertEquals(3L, batch.attribute("db.operation.batch.size"));

            List<String> selects = named(clients, "SELECT " + table).stream()
                .map(span -> (String) span.attribute("db.query.text")).toList();
            assertTrue(selects.contains("SELECT name FROM " + table + " WHERE name = ? OR id IN (?) ORDER BY id"),
                selects.toString());
            assertEquals(2, selects.stream().filter(("SELECT id, name FROM " + table + " WHERE id = ?")::equals)
                .count(), selects.toString());

            ReceivedSpan syntaxError = named(clients, namespace).get(0);
            assertEquals(Status.StatusCode.STATUS_CODE_ERROR, syntaxError.statusCode());
            assertEquals("SELEC name FROM " + table + " WHERE name = ?", syntaxError.attribute("db.query.text"));
            assertEquals(syntaxState, syntaxError.attribute("db.response.status_code"));
            assertNotNull(syntaxError.attribute("error.type"));
            ReceivedSpan violation = named(clients, "INSERT " + table).get(0);
            assertEquals(Status.StatusCode.STATUS_CODE_ERROR, violation.statusCode());
            assertEquals(violationState, violation.attribute("db.response.status_code"));
            assertTrue(((String) violation.attribute("error.type")).contains("SQL"), violation.toString());

            for (ExportTraceServiceRequest export : receiver.requests()) {
                assertFalse(export.toByteString().toString(StandardCharsets.UTF_8).contains(SECRET),
                    "a query literal reached the backend");
            }
            assertTrue(app.stderrLines().stream().noneMatch(line -> line.contains(SECRET)), "a literal in the log");
        });
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("modes")
    void aServerThatIsDownFailsTheConnectionAsWithoutTheAgent(String mode) throws Exception {
        app.explainFailures(() -> {
            String path = "/db/down/" + mode;
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            // the driver's own answer (08001: unable to connect), through the pool as directly
            assertTrue(response.body().startsWith("down 08"), response.body());
            ReceivedSpan server = receiver.awaitSpan("the SERVER span of " + path,
                span -> span.kind() == Span.SpanKind.SPAN_KIND_SERVER && path.equals(span.attribute("url.path")),
                SPANS);
            // no statement ran, so no database span; the request is traced as any other
            assertEquals(List.of(), clientSpans(receiver.spans(), server));
            assertTrue(app.stderrLines().stream().noneMatch(line -> line.contains("plume ERROR")
                || line.contains("plume WARN")), app.stderrLines().toString());
        });
    }

    static List<String> modes() {
        return List.of("direct", "hikari");
    }

    @Test
    void olderNamesOnRequestAndRawTextWhenTheSanitizerIsOff() throws Exception {
        try (OtlpHttpReceiver own = OtlpHttpReceiver.start();
             AgentProcess configured = AgentProcess.launch(InstalledJdks.all().get(0),
                     SmokeArtifacts.webAppJar("jdbc-app"))
                 .systemProperty("otel.exporter.otlp.endpoint", own.endpoint())
                 .systemProperty("otel.bsp.schedule.delay", "100")
                 .systemProperty("otel.semconv-stability.opt-in", "database/dup")
                 .systemProperty("otel.instrumentation.common.db-statement-sanitizer.enabled", "false")
                 .start()) {
            configured.explainFailures(() -> {
                int appPort = configured.awaitListeningPort(Duration.ofSeconds(60));
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + appPort + "/db/h2/direct")).build(),
                    HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode(), response.body());
                String table = "plume_owners_direct";
                String raw = "SELECT name FROM " + table + " WHERE name = '" + SECRET + "' OR id IN (1, 3, 4711) ORDER BY id";
                ReceivedSpan select = own.awaitSpan("the plain SELECT, unsanitized",
                    span -> raw.equals(span.attribute("db.query.text")), SPANS);
                assertEquals("h2", select.attribute("db.system.name"));
                assertEquals("h2", select.attribute("db.system"));
                assertEquals(raw, select.attribute("db.statement"));
                assertEquals("plume", select.attribute("db.name"));
                assertEquals("SELECT", select.attribute("db.operation"));
                assertEquals(table, select.attribute("db.sql.table"));
                ReceivedSpan failed = own.awaitSpan("the syntax error", span -> span.kind()
                    == Span.SpanKind.SPAN_KIND_CLIENT && span.statusCode() == Status.StatusCode.STATUS_CODE_ERROR
                    && ((String) span.attribute("db.query.text")).startsWith("SELEC "), SPANS);
                // with the sanitizer off, the database's message (which quotes the query) is kept
                assertFalse(failed.proto().getStatus().getMessage().isEmpty(), failed.toString());
            });
        }
    }

    /** The CLIENT spans whose parent is {@code server}. */
    private static List<ReceivedSpan> clientSpans(List<ReceivedSpan> spans, ReceivedSpan server) {
        return spans.stream().filter(span -> span.kind() == Span.SpanKind.SPAN_KIND_CLIENT
            && span.traceId().equals(server.traceId()) && span.parentSpanId().equals(server.spanId())).toList();
    }

    private static List<ReceivedSpan> named(List<ReceivedSpan> spans, String name) {
        return spans.stream().filter(span -> span.name().equals(name)).toList();
    }

    private static String describe(List<ReceivedSpan> spans) {
        StringBuilder text = new StringBuilder();
        for (ReceivedSpan span : spans) {
            text.append("\n  ").append(span);
        }
        return text.toString();
    }
}
