package dev.plume.tests.smoke;

import dev.plume.tests.otlp.OtlpHttpReceiver;
import dev.plume.tests.otlp.ReceivedSpan;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An application Plume's authors did not write: the JDK's own file server ({@code jwebserver}, module
 * {@code jdk.httpserver}, JDK 18+), traced with no change to it.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class JdkWebServerSmokeTest {
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final String PARENT_ID = "b7ad6b7169203331";

    static List<Jdk> jdksWithWebServer() {
        return InstalledJdks.all().stream().filter(jdk -> jdk.feature() >= 18).toList();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("jdksWithWebServer")
    void fileServerRequestsBecomeServerSpansInTheCallersTrace(Jdk jdk, @TempDir Path site) throws Exception {
        Files.writeString(site.resolve("index.html"), "<p>plume</p>");
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        try (OtlpHttpReceiver receiver = OtlpHttpReceiver.start();
             AgentProcess server = AgentProcess.launchModule(jdk, "jdk.httpserver")
                 .systemProperty("otel.exporter.otlp.endpoint", receiver.endpoint())
                 .systemProperty("otel.service.name", "jwebserver")
                 .systemProperty("otel.bsp.schedule.delay", "100")
                 .args("-b", "127.0.0.1", "-p", String.valueOf(port), "-d", site.toString())
                 .start()) {
            server.explainFailures(() -> {
                server.awaitStdoutLine("the server's URL line", line -> line.startsWith("URL "),
                    Duration.ofSeconds(60));
                HttpClient client = HttpClient.newHttpClient();
                HttpResponse<String> found = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/index.html"))
                    .header("traceparent", "00-" + TRACE_ID + "-" + PARENT_ID + "-01").build(),
                    HttpResponse.BodyHandlers.ofString());
                assertEquals("<p>plume</p>", found.body());
                HttpResponse<String> missing = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/missing.txt")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(404, missing.statusCode());

                ReceivedSpan page = receiver.awaitSpan("server span for /index.html",
                    span -> "/index.html".equals(span.attribute("url.path")), Duration.ofSeconds(30));
                assertEquals(Span.SpanKind.SPAN_KIND_SERVER, page.kind());
                assertEquals("GET /", page.name());
                assertEquals("/", page.attribute("http.route"));
                assertEquals(200L, page.attribute("http.response.status_code"));
                assertEquals(TRACE_ID, page.traceId());
                assertEquals(PARENT_ID, page.parentSpanId());
                assertEquals("jwebserver", page.resourceAttributes().get("service.name"));

                ReceivedSpan notFound = receiver.awaitSpan("server span for /missing.txt",
                    span -> "/missing.txt".equals(span.attribute("url.path")), Duration.ofSeconds(30));
                assertEquals(404L, notFound.attribute("http.response.status_code"));
                assertEquals(Status.StatusCode.STATUS_CODE_UNSET, notFound.statusCode(), "4xx is not a server error");
                assertEquals(List.of(), server.exceptionLines());
            });
        }
    }
}
