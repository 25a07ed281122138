package dev.plume.instrumentation.kafka;

import dev.plume.instrumentation.LibraryInstrumentation;
import dev.plume.instrumentation.MethodSelector;
import dev.plume.instrumentation.TypeTarget;

import java.util.List;

/**
 * The Kafka clients, kafka-clients 3.x and 4.x. {@code KafkaProducer#send} is a PRODUCER span with its context in the
 * record's headers, ended by the callback object Kafka makes for the record ({@code InterceptorCallback} up to 3.1,
 * {@code AppendCallbacks} since), which also runs the application's callback in the context it sent from.
 * {@code KafkaConsumer#poll} reads what each record's processing needs, and is a CONSUMER receive span when
 * {@code otel.instrumentation.messaging.experimental.receive-telemetry.enabled} says so (off, as in the OpenTelemetry
 * agent); {@code ConsumerRecords#iterator}, {@code records(TopicPartition)} and {@code records(topic)} hand out each
 * record with its process span. Clients carry their client id, group and first bootstrap server, the records what the
 * poll read of them.
 */
public final class KafkaInstrumentation implements LibraryInstrumentation {
    private static final String PRODUCER = "org.apache.kafka.clients.producer.KafkaProducer";
    private static final String CONSUMER = "org.apache.kafka.clients.consumer.KafkaConsumer";

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public List<String> aliases() {
        return List.of("kafka-clients");
    }

    @Override
    public List<TypeTarget> targets() {
        return List.of(
            TypeTarget.named(PRODUCER).carriesContext()
                .advice(KafkaProducerConfiguredAdvice.class, MethodSelector.constructors()
                    .parameterTypes("org.apache.kafka.clients.producer.ProducerConfig"))
                .advice(KafkaSendAdvice.class, MethodSelector.named("send").parameters(2)),
            TypeTarget.named(PRODUCER + "$InterceptorCallback", PRODUCER + "$AppendCallbacks").carriesContext()
                .advice(KafkaCallbackMadeAdvice.class, MethodSelector.constructors())
                .advice(KafkaAcknowledgedAdvice.class, MethodSelector.named("onCompletion").parameters(2)),
            TypeTarget.named(CONSUMER).carriesContext()
                .advice(KafkaConsumerConfiguredAdvice.class, MethodSelector.constructors()
                    .parameterTypes("org.apache.kafka.clients.consumer.ConsumerConfig"))
                .advice(KafkaPollAdvice.class, MethodSelector.named("poll").parameters(1).publicOnly()),
            TypeTarget.named("org.apache.kafka.clients.consumer.ConsumerRecords").carriesContext()
                .advice(KafkaRecordsIteratorAdvice.class, MethodSelector.named("iterator").parameters(0))
                .advice(KafkaRecordsOfAdvice.class, MethodSelector.named("records").publicOnly().parameters(1)));
    }
}
