package dev.plume.tests.smoke;

import dev.plume.tests.otlp.OtlpHttpReceiver;
import dev.plume.tests.otlp.ReceivedSpan;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * RabbitMQ across two processes, against the machine's broker (skipped, with a line saying so, when none listens on
 * 5672): messaging-app as a producer (an HTTP request publishes three messages) and as a consumer (a
 * {@code DefaultConsumer}, a {@code DeliverCallback}, a {@code basicGet} loop), each JVM under the agent. The newest
 * client with the default propagators, the oldest (5.0.0) with {@code b3multi} only: each message's publish, its
 * processing (or its receive) and the HTTP call made while processing it must be one trace with the request that
 * published it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RabbitMqSmokeTest {
    private static final int RABBITMQ_PORT = 5672;
    private static final Duration SPANS = Duration.ofSeconds(30);

    private final HttpClient client = HttpClient.newHttpClient();
    private boolean brokerThere;

    @BeforeAll
    void checkBroker() {
        brokerThere = LocalServers.listening(RABBITMQ_PORT);
        if (!brokerThere) {
            System.out.println("[rabbitmq] SKIPPED: no RabbitMQ broker on 127.0.0.1:" + RABBITMQ_PORT);
        }
    }

    @Test
    void newestClientPublishAndConsumeAreOneTraceAcrossProcesses() throws Exception {
        assumeTrue(brokerThere, "no RabbitMQ broker on 127.0.0.1:" + RABBITMQ_PORT);
        String prefix = "plume-" + UUID.randomUUID().toString().substring(0, 8);
        try (OtlpHttpReceiver receiver = OtlpHttpReceiver.start();
             AgentProcess producer = launch("messaging-app", "producer", prefix, receiver, null).start()) {
            int port = producer.awaitListeningPort(Duration.ofSeconds(60));
            try (AgentProcess consumer = launch("messaging-app", "consumer", prefix, receiver, port).start()) {
                Scenario scenario = run(producer, consumer, receiver, prefix, port);
                ReceivedSpan deliver = scenario.publish(prefix + ".deliver");
                assertEquals("rabbitmq", deliver.attribute("messaging.system"));
                assertEquals("publish", deliver.attribute("messaging.operation.name"));
                assertEquals("send", deliver.attribute("messaging.operation.type"));
                assertEquals(prefix + ".deliver", deliver.attribute("messaging.destination.name"));
                assertEquals(prefix + ".deliver", deliver.attribute("messaging.rabbitmq.destination.routing_key"));
                assertEquals((long) "to-consumer".length(), deliver.attribute("messaging.message.body.size"));
                assertEquals("127.0.0.1", deliver.attribute("server.address"));
                assertEquals((long) RABBITMQ_PORT, deliver.attribute("server.port"));
                assertEquals("dev.plume.rabbitmq", deliver.scope().getName());

                ReceivedSpan routed = scenario.publish(prefix + ".exchange:" + prefix + ".callback");
                assertEquals(prefix + ".callback", routed.attribute("messaging.rabbitmq.destination.routing_key"));

                ReceivedSpan processed = scenario.process(prefix + ".deliver", deliver);
                assertEquals("process", processed.attribute("messaging.operation.name"));
                assertEquals("process", processed.attribute("messaging.operation.type"));
                assertEquals(prefix + ".deliver", processed.attribute("messaging.destination.name"));
                assertEquals((long) "to-consumer".length(), processed.attribute("messaging.message.body.size"));
                assertNotNull(processed.attribute("messaging.rabbitmq.message.delivery_tag"), processed.toString());
                assertEquals("127.0.0.1", processed.attribute("server.address"));
                // the application's own header reached the consumer beside the propagators'
                consumer.awaitStdoutLine("the application's header", line -> line.equals(
                    "CONSUMED rabbitmq deliver to-consumer header=kept"), SPANS);
                scenario.process(prefix + ".exchange:" + prefix + ".callback", routed);

                ReceivedSpan got = scenario.receive(prefix + ".get", scenario.publish(prefix + ".get"));
                assertEquals("receive", got.attribute("messaging.operation.type"));
                assertEquals((long) "to-get".length(), got.attribute("messaging.message.body.size"));
                assertTrue(consumer.exceptionLines().isEmpty(), consumer.describe());
                assertTrue(producer.exceptionLines().isEmpty(), producer.describe());
            }
        }
    }

    @Test
    void oldestClientWithB3MultiHeadersIsOneTraceToo() throws Exception {
        assumeTrue(brokerThere, "no RabbitMQ broker on 127.0.0.1:" + RABBITMQ_PORT);
        String prefix = "plume-" + UUID.randomUUID().toString().substring(0, 8);
        try (OtlpHttpReceiver receiver = OtlpHttpReceiver.start();
             AgentProcess producer = launch("messaging-oldest-app", "producer", prefix, receiver, null)
                 .systemProperty("otel.propagators", "b3multi").start()) {
            int port = producer.awaitListeningPort(Duration.ofSeconds(60));
            try (AgentProcess consumer = launch("messaging-oldest-app", "consumer", prefix, receiver, port)
                .systemProperty("otel.propagators", "b3multi").start()) {
                Scenario scenario = run(producer, consumer, receiver, prefix, port);
                ReceivedSpan deliver = scenario.publish(prefix + ".deliver");
                assertEquals("rabbitmq", deliver.attribute("messaging.system"));
                scenario.process(prefix + ".deliver", deliver);
                scenario.process(prefix + ".exchange:" + prefix + ".callback",
                    scenario.publish(prefix + ".exchange:" + prefix + ".callback"));
                scenario.receive(prefix + ".get", scenario.publish(prefix + ".get"));
                assertTrue(consumer.exceptionLines().isEmpty(), consumer.describe());
            }
        }
    }

    private AgentProcess.Builder launch(String module, String mode, String prefix, OtlpHttpReceiver receiver,
                                        Integer ackPort) {
        AgentProcess.Builder builder = AgentProcess.launch(InstalledJdks.all().get(0), SmokeArtifacts.webAppJar(module))
            .systemProperty("otel.exporter.otlp.endpoint", receiver.endpoint())
            .systemProperty("otel.service.name", mode)
            .systemProperty("otel.bsp.schedule.delay", "100")
            .systemProperty("app.mode", mode)
            .systemProperty("app.systems", "rabbitmq")
            .systemProperty("app.prefix", prefix);
        return ackPort == null ? builder : builder.systemProperty("app.ack.port", Integer.toString(ackPort));
    }

    /** Publishes the three messages and waits until the consumer processed them and their spans arrived. */
    private Scenario run(AgentProcess producer, AgentProcess consumer, OtlpHttpReceiver receiver, String prefix,
                         int port) throws Exception {
        Scenario[] result = new Scenario[1];
        producer.explainFailures(() -> consumer.explainFailures(() -> {
            consumer.awaitStdoutLine("the consumer's start", "CONSUMING"::equals, Duration.ofSeconds(60));
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/rabbitmq/publish")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            for (String how : List.of("deliver", "callback", "get")) {
                consumer.awaitStdoutLine("the " + how + " message consumed",
                    line -> line.startsWith("CONSUMED rabbitmq " + how), SPANS);
            }
            ReceivedSpan server = receiver.awaitSpan("the request that publishes", span ->
                span.kind() == Span.SpanKind.SPAN_KIND_SERVER && "/rabbitmq/publish".equals(span.attribute("url.path")),
                SPANS);
            // 1 request, 3 publishes, 2 processes each with a CLIENT and a SERVER span, 1 receive
            List<ReceivedSpan> trace = receiver.awaitTrace(server.traceId(), 11, SPANS);
            result[0] = new Scenario(server, trace);
        }));
        return result[0];
    }

    /** The spans of one published request's trace. */
    private record Scenario(ReceivedSpan server, List<ReceivedSpan> trace) {
        ReceivedSpan publish(String destination) {
            ReceivedSpan publish = one("publish " + destination, Span.SpanKind.SPAN_KIND_PRODUCER);
            assertEquals(server.spanId(), publish.parentSpanId(), "published in the request: " + publish);
            assertEquals("producer", publish.resourceAttributes().get("service.name"));
            return publish;
        }

        ReceivedSpan process(String destination, ReceivedSpan publish) {
            ReceivedSpan process = one("process " + destination, Span.SpanKind.SPAN_KIND_CONSUMER);
            assertEquals(publish.spanId(), process.parentSpanId(), "a child of its publish: " + process);
            assertEquals("consumer", process.resourceAttributes().get("service.name"));
            assertEquals("rabbitmq", process.attribute("messaging.system"));
            // the acknowledgement made while processing: a CLIENT span in the consumer, a SERVER span in the producer
            ReceivedSpan ack = trace.stream().filter(span -> span.kind() == Span.SpanKind.SPAN_KIND_CLIENT
                && process.spanId().equals(span.parentSpanId())).findFirst().orElseThrow(() -> new AssertionError(
                "no HTTP call under " + process + " in " + trace));
            assertTrue(trace.stream().anyMatch(span -> span.kind() == Span.SpanKind.SPAN_KIND_SERVER
                && ack.spanId().equals(span.parentSpanId())), "the producer's /ack under " + ack);
            return process;
        }

        ReceivedSpan receive(String destination, ReceivedSpan publish) {
            ReceivedSpan receive = one("receive " + destination, Span.SpanKind.SPAN_KIND_CONSUMER);
            // the getter thread has nothing current: the message's creation context is the parent
            assertEquals(publish.spanId(), receive.parentSpanId(), receive.toString());
            assertEquals("receive", receive.attribute("messaging.operation.name"));
            assertNull(receive.attribute("messaging.destination.anonymous"));
            return receive;
        }

        private ReceivedSpan one(String name, Span.SpanKind kind) {
            List<ReceivedSpan> found = trace.stream().filter(span -> span.name().equals(name) && span.kind() == kind)
                .toList();
            assertEquals(1, found.size(), name + " among " + trace);
            return found.get(0);
        }
    }
}
