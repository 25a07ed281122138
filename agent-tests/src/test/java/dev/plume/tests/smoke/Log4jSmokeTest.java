package dev.plume.tests.smoke;

import dev.plume.tests.otlp.OtlpHttpReceiver;
import dev.plume.tests.otlp.ReceivedSpan;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Log correlation with Log4j 2 (log4j2-app, Log4j 2.26.1, pattern {@code %X{trace_id} %X{span_id}
 * %X{trace_flags}}), on every JDK: the line a request logs, and the line a task it handed to a thread pool logs, carry
 * the request's SERVER span ids; the line logged at start, outside any span, has none.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class Log4jSmokeTest {
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("dev.plume.tests.smoke.InstalledJdks#all")
    void logLinesCarryTheCurrentSpansIdsOnEveryThreadTheContextReaches(Jdk jdk) throws Exception {
        try (OtlpHttpReceiver receiver = OtlpHttpReceiver.start();
             AgentProcess app = AgentProcess.launch(jdk, SmokeArtifacts.webAppJar("log4j2-app"))
                 .systemProperty("otel.exporter.otlp.endpoint", receiver.endpoint())
                 .systemProperty("otel.bsp.schedule.delay", "100")
                 .start()) {
            app.explainFailures(() -> {
                int port = app.awaitListeningPort(Duration.ofSeconds(60));
                HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/log")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode());
                ReceivedSpan server = receiver.awaitSpan("the SERVER span of /log",
                    span -> span.kind() == Span.SpanKind.SPAN_KIND_SERVER, Duration.ofSeconds(30));
                String ids = "trace_id=" + server.traceId() + " span_id=" + server.spanId() + " trace_flags=01 ";
                assertTrue(app.stdoutLines().stream().anyMatch(line -> line.endsWith(ids + "Log4jApp: handled /log")),
                    String.join("\n", app.stdoutLines()));
                assertTrue(app.stdoutLines().stream().anyMatch(line -> line.contains("[pool-")
                    && line.endsWith(ids + "Log4jApp: from the pool")), String.join("\n", app.stdoutLines()));
                assertTrue(app.stdoutLines().stream().anyMatch(line ->
                    line.contains("trace_id= span_id= trace_flags= Log4jApp: ready on port")),
                    String.join("\n", app.stdoutLines()));
            });
        }
    }
}
