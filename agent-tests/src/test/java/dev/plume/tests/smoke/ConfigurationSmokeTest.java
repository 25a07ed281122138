package dev.plume.tests.smoke;

import com.sun.tools.attach.VirtualMachine;
import dev.plume.tests.otlp.OtlpHttpReceiver;
import dev.plume.tests.otlp.ReceivedSpan;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Configuration as a user gives it: agent arguments at start and at attach, and bad values explained in one line. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ConfigurationSmokeTest {
    private static final Duration STARTUP = Duration.ofSeconds(60);

    @Test
    void settingsPassedToARuntimeAttachAreUsed() throws Exception {
        Jdk jdk = InstalledJdks.all().get(0);
        try (OtlpHttpReceiver receiver = OtlpHttpReceiver.start();
             AgentProcess app = AgentProcess.launch(jdk, SmokeArtifacts.httpAppJar()).withoutAgent()
                 .systemProperty("app.exit.on.stdin.eof", "true").start()) {
            app.explainFailures(() -> {
                int port = app.awaitListeningPort(STARTUP);
                VirtualMachine vm = VirtualMachine.attach(String.valueOf(app.pid()));
                try {
                    vm.loadAgent(SmokeArtifacts.agentJar().toString(), "otel.traces.exporter=otlp,console,"
                        + "otel.exporter.otlp.endpoint=" + receiver.endpoint() + ",otel.service.name=attached,"
                        + "otel.bsp.schedule.delay=100");
                } finally {
                    vm.detach();
                }
                assertEquals(200, get(port, "/hello").statusCode());
                app.awaitStdoutLine("the console trace tree of the request", line -> line.contains("GET /hello")
                    && line.contains("SERVER"), STARTUP);
                ReceivedSpan span = receiver.awaitSpan("the request's SERVER span",
                    OtlpHttpReceiver.named("GET /hello", Span.SpanKind.SPAN_KIND_SERVER), STARTUP);
                assertEquals("attached", span.resourceAttributes().get("service.name"));
            });
        }
    }

    @Test
    void agentArgumentsOnTheCommandLineAreTheLowestPrecedence() throws Exception {
        Jdk jdk = InstalledJdks.all().get(0);
        try (OtlpHttpReceiver receiver = OtlpHttpReceiver.start();
             AgentProcess app = AgentProcess.launch(jdk, SmokeArtifacts.httpAppJar())
                 .agentArguments("otel.exporter.otlp.endpoint=" + receiver.endpoint()
                     + ",otel.service.name=from-arguments,otel.resource.attributes=team=pay,tier=gold")
                 .systemProperty("otel.service.name", "from-property")
                 .systemProperty("otel.bsp.schedule.delay", "100")
                 .systemProperty("app.exit.on.stdin.eof", "true").start()) {
            app.explainFailures(() -> {
                int port = app.awaitListeningPort(STARTUP);
                assertEquals(200, get(port, "/hello").statusCode());
                ReceivedSpan span = receiver.awaitSpan("the request's SERVER span",
                    OtlpHttpReceiver.named("GET /hello", Span.SpanKind.SPAN_KIND_SERVER), STARTUP);
                assertEquals("from-property", span.resourceAttributes().get("service.name"));
                assertEquals("pay", span.resourceAttributes().get("team"), "a value with commas arrives whole");
                assertEquals("gold", span.resourceAttributes().get("tier"));
            });
        }
    }

    @Test
    void aValueThatIsNeitherTrueNorFalseIsOneLineAndTheAgentRuns() throws Exception {
        Jdk jdk = InstalledJdks.all().get(0);
        try (AgentProcess app = AgentProcess.launch(jdk, SmokeArtifacts.httpAppJar())
            .systemProperty("otel.javaagent.enabled", "maybe")
            .systemProperty("plume.exporter.spool.dirr", "/tmp/typo")
            .systemProperty("otel.traces.exporter", "none")
            .systemProperty("app.exit.on.stdin.eof", "true").start()) {
            app.explainFailures(() -> {
                app.awaitListeningPort(STARTUP);
                List<String> lines = app.agentLogLines();
                assertEquals(1, lines.stream().filter(l -> l.contains("otel.javaagent.enabled")).count(), lines.toString());
                assertTrue(lines.stream().anyMatch(l -> l.startsWith("plume WARN invalid value \"maybe\" for"
                    + " otel.javaagent.enabled (expected true or false); using true")), lines.toString());
                assertTrue(lines.stream().anyMatch(l -> l.contains("unknown setting plume.exporter.spool.dirr")),
                    lines.toString());
            });
        }
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
