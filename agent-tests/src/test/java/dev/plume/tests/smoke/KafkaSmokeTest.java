package dev.plume.tests.smoke;

import dev.plume.tests.otlp.OtlpHttpReceiver;
import dev.plume.tests.otlp.ReceivedSpan;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.AfterAll;
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
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Kafka across two processes, against a real broker this class starts (Kafka 4.1.1 in KRaft mode, its own JVM; the
 * tests are skipped, with a line saying why, when it cannot start): messaging-app as a producer (an HTTP request sends
 * two records) and as a consumer (a poll loop iterating the records), each under the agent, with kafka-clients 4.4.0,
 * 3.9.2 and 3.0.0, taking the records by partition, by topic and all at once. Each record's send, its processing and
 * the HTTP call made while processing it must be one trace with the request that sent it, with the broker as
 * server.address/server.port; polls are no spans by default, and, when asked, receive spans linked to the sends of
 * their records.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class KafkaSmokeTest {
    private static final Duration SPANS = Duration.ofSeconds(60);

    private final HttpClient client = HttpClient.newHttpClient();
    private KafkaBroker broker;
    private String skipped;

    @BeforeAll
    void startBroker() {
        try {
            broker = KafkaBroker.start();
        } catch (Exception e) {
            skipped = e.getMessage();
            System.out.println("[kafka] SKIPPED: no Kafka broker could be started: " + skipped);
        }
    }

    @AfterAll
    void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    /** Each partition's records taken with records(TopicPartition); polls asked to be receive spans. */
    @Test
    void kafkaClients4() throws Exception {
        sendAndConsume("messaging-app", "partitions", true);
    }

    /** The topic's records taken with records(topic); polls no spans, as by default in the OpenTelemetry agent. */
    @Test
    void newestKafkaClients3() throws Exception {
        sendAndConsume("messaging-kafka3-app", "topic", false);
    }

    @Test
    void oldestKafkaClients3() throws Exception {
        sendAndConsume("messaging-oldest-app", "all", false);
    }

    private void sendAndConsume(String module, String iterate, boolean receiveTelemetry) throws Exception {
        assumeTrue(broker != null, "no Kafka broker: " + skipped);
        String prefix = "plume-" + UUID.randomUUID().toString().substring(0, 8);
        String topic = prefix + ".orders";
        try (OtlpHttpReceiver receiver = OtlpHttpReceiver.start();
             AgentProcess producer = launch(module, "producer", prefix, receiver, null).start()) {
            int port = producer.awaitListeningPort(Duration.ofSeconds(60));
            try (AgentProcess consumer = launch(module, "consumer", prefix, receiver, port)
                .systemProperty("app.kafka.iterate", iterate)
                .systemProperty("otel.instrumentation.messaging.experimental.receive-telemetry.enabled",
                    Boolean.toString(receiveTelemetry)).start()) {
                producer.explainFailures(() -> consumer.explainFailures(() -> {
                    consumer.awaitStdoutLine("the consumer's start", "CONSUMING"::equals, Duration.ofSeconds(60));
                    HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/kafka/send")).build(),
                        HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, response.statusCode(), response.body());
                    consumer.awaitStdoutLine("the first record", "CONSUMED kafka first-order key=order-1"::equals, SPANS);
                    consumer.awaitStdoutLine("the second record", "CONSUMED kafka second-order key=null"::equals, SPANS);
                    ReceivedSpan server = receiver.awaitSpan("the request that sends", span ->
                        span.kind() == Span.SpanKind.SPAN_KIND_SERVER && "/kafka/send".equals(span.attribute("url.path")),
                        SPANS);
                    // 1 request, 2 sends, 2 processes each with a CLIENT and a SERVER span
                    List<ReceivedSpan> trace = receiver.awaitTrace(server.traceId(), 9, SPANS);
                    List<ReceivedSpan> sends = trace.stream().filter(span ->
                        span.kind() == Span.SpanKind.SPAN_KIND_PRODUCER).toList();
                    assertEquals(2, sends.size(), trace.toString());
                    for (ReceivedSpan send : sends) {
                        assertEquals("send " + topic, send.name());
                        assertEquals(server.spanId(), send.parentSpanId(), send.toString());
                        assertEquals("kafka", send.attribute("messaging.system"));
                        assertEquals("send", send.attribute("messaging.operation.name"));
                        assertEquals("send", send.attribute("messaging.operation.type"));
                        assertEquals(topic, send.attribute("messaging.destination.name"));
                        assertEquals(prefix + "-producer", send.attribute("messaging.client.id"));
                        assertEquals("0", send.attribute("messaging.destination.partition.id"), send.toString());
                        assertNotNull(send.attribute("messaging.kafka.offset"), send.toString());
                        assertEquals("dev.plume.kafka", send.scope().getName());
                        assertServer(send);
                    }
                    ReceivedSpan keyed = sends.stream().filter(span -> "order-1".equals(
                        span.attribute("messaging.kafka.message.key"))).findFirst().orElseThrow();
                    for (ReceivedSpan send : sends) {
                        ReceivedSpan process = trace.stream().filter(span -> span.kind() == Span.SpanKind.SPAN_KIND_CONSUMER
                            && send.spanId().equals(span.parentSpanId())).findFirst().orElseThrow(() ->
                            new AssertionError("no process span under " + send + " in " + trace));
                        assertEquals("process " + topic, process.name());
                        assertEquals("consumer", process.resourceAttributes().get("service.name"));
                        assertEquals("process", process.attribute("messaging.operation.type"));
                        assertEquals(prefix + ".group", process.attribute("messaging.consumer.group.name"));
                        assertNotNull(process.attribute("messaging.client.id"), process.toString());
                        assertEquals("0", process.attribute("messaging.destination.partition.id"));
                        assertEquals(send.attribute("messaging.kafka.offset"), process.attribute("messaging.kafka.offset"));
                        assertEquals(send == keyed ? "order-1" : null, process.attribute("messaging.kafka.message.key"));
                        assertServer(process);
                        ReceivedSpan ack = trace.stream().filter(span -> span.kind() == Span.SpanKind.SPAN_KIND_CLIENT
                            && process.spanId().equals(span.parentSpanId())).findFirst().orElseThrow(() ->
                            new AssertionError("no HTTP call under " + process));
                        assertTrue(trace.stream().anyMatch(span -> span.kind() == Span.SpanKind.SPAN_KIND_SERVER
                            && ack.spanId().equals(span.parentSpanId())), "the producer's /ack under " + ack);
                    }
                    if (!receiveTelemetry) {
                        // the processes are in (each under its send): a poll span would have been exported before them
                        assertTrue(receiver.spans().stream().noneMatch(span -> span.name().equals("poll " + topic)),
                            "no receive spans unless asked: " + receiver.summary());
                        assertTrue(consumer.exceptionLines().isEmpty(), consumer.describe());
                        assertTrue(producer.exceptionLines().isEmpty(), producer.describe());
                        return;
                    }
                    // the polls: receive spans linked to the sends of the records they returned
                    List<ReceivedSpan> polls = receiver.awaitSpans("the polls", spans -> spans.stream().filter(span ->
                        span.name().equals("poll " + topic)).mapToLong(span ->
                        (Long) span.attribute("messaging.batch.message_count")).sum() >= 2, SPANS).stream()
                        .filter(span -> span.name().equals("poll " + topic)).toList();
                    for (ReceivedSpan send : sends) {
                        assertTrue(polls.stream().anyMatch(poll -> poll.proto().getLinksList().stream().anyMatch(link ->
                            ReceivedSpan.hex(link.getSpanId()).equals(send.spanId()))), "a poll linked to " + send);
                    }
                    for (ReceivedSpan poll : polls) {
                        assertEquals(Span.SpanKind.SPAN_KIND_CONSUMER, poll.kind());
                        assertEquals("receive", poll.attribute("messaging.operation.type"));
                        assertEquals("poll", poll.attribute("messaging.operation.name"));
                        assertEquals(prefix + ".group", poll.attribute("messaging.consumer.group.name"));
                        assertServer(poll);
                    }
                    assertTrue(consumer.exceptionLines().isEmpty(), consumer.describe());
                    assertTrue(producer.exceptionLines().isEmpty(), producer.describe());
                }));
            }
        }
    }

    /** The client's bootstrap server (one, here: the broker) as server.address and server.port. */
    private void assertServer(ReceivedSpan span) {
        String bootstrap = broker.bootstrap();
        int colon = bootstrap.lastIndexOf(':');
        assertEquals(bootstrap.substring(0, colon), span.attribute("server.address"), span.toString());
        assertEquals(Long.parseLong(bootstrap.substring(colon + 1)), span.attribute("server.port"), span.toString());
    }

    private AgentProcess.Builder launch(String module, String mode, String prefix, OtlpHttpReceiver receiver,
                                        Integer ackPort) {
        AgentProcess.Builder builder = AgentProcess.launch(InstalledJdks.all().get(0), SmokeArtifacts.webAppJar(module))
            .systemProperty("otel.exporter.otlp.endpoint", receiver.endpoint())
            .systemProperty("otel.service.name", mode)
            .systemProperty("otel.bsp.schedule.delay", "100")
            .systemProperty("app.mode", mode)
            .systemProperty("app.systems", "kafka")
            .systemProperty("app.prefix", prefix)
            .systemProperty("app.kafka.bootstrap", broker.bootstrap());
        return ackPort == null ? builder : builder.systemProperty("app.ack.port", Integer.toString(ackPort));
    }
}
