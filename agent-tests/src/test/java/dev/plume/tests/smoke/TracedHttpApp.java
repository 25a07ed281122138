package dev.plume.tests.smoke;

import dev.plume.tests.otlp.OtlpHttpReceiver;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The http-app sample running under the agent and exporting to its own test receiver. */
final class TracedHttpApp implements AutoCloseable {

    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    static final String SERVICE_NAME = "smoke-http-app";

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final OtlpHttpReceiver receiver;
    private final AgentProcess process;
    private final int port;

    private TracedHttpApp(OtlpHttpReceiver receiver, AgentProcess process, int port) {
        this.receiver = receiver;
        this.process = process;
        this.port = port;
    }

    /** Starts the app with the standard smoke settings, replaced or extended by {@code overrides}. */
    static TracedHttpApp start(Jdk jdk, Map<String, String> overrides) {
        OtlpHttpReceiver receiver = OtlpHttpReceiver.start();
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("otel.exporter.otlp.endpoint", receiver.endpoint());
        properties.put("otel.service.name", SERVICE_NAME);
        properties.put("otel.resource.attributes", "deployment.environment.name=smoke,team=plume");
        properties.put("otel.bsp.schedule.delay", "100");
        // The app exits when the test JVM goes away and its stdin closes, even if the JVM was killed.
        properties.put("app.exit.on.stdin.eof", "true");
        properties.putAll(overrides);

        AgentProcess.Builder launch = AgentProcess.launch(jdk, SmokeArtifacts.httpAppJar());
        properties.forEach(launch::systemProperty);
        AgentProcess process = null;
        try {
            process = launch.start();
            int port = process.awaitListeningPort(STARTUP_TIMEOUT);
            return new TracedHttpApp(receiver, process, port);
        } catch (RuntimeException | AssertionError e) {
            if (process != null) {
                process.close();
            }
            receiver.close();
            throw e;
        }
    }

    OtlpHttpReceiver receiver() {
        return receiver;
    }

    AgentProcess process() {
        return process;
    }

    int port() {
        return port;
    }

    /** Sends a GET from the test; {@code headers} are name, value pairs. */
    HttpResponse<String> get(String pathAndQuery, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(10))
                .GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        try {
            process.close();
        } finally {
            receiver.close();
        }
    }
}
