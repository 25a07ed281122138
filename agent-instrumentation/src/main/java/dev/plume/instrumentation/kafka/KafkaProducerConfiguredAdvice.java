package dev.plume.instrumentation.kafka;

import dev.plume.bootstrap.messaging.KafkaSpans;
import net.bytebuddy.asm.Advice;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Inlined into the {@code KafkaProducer(ProducerConfig, ...)} constructors: the producer keeps its client id and
 * bootstrap servers.
 */
public final class KafkaProducerConfiguredAdvice {
    private KafkaProducerConfiguredAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This Object producer, @Advice.Argument(0) ProducerConfig config) {
        KafkaSpans.configured(producer, config.getString("client.id"), null,
            config.getList("bootstrap.servers"));
    }
}
