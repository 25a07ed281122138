package dev.plume.instrumentation.kafka;

import dev.plume.bootstrap.messaging.KafkaSpans;
import net.bytebuddy.asm.Advice;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * Inlined into the {@code KafkaConsumer(ConsumerConfig, ...)} constructor: the consumer keeps client id, group and
 * bootstrap servers.
 */
public final class KafkaConsumerConfiguredAdvice {
    private KafkaConsumerConfiguredAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This Object consumer, @Advice.Argument(0) ConsumerConfig config) {
        KafkaSpans.configured(consumer, config.getString("client.id"), config.getString("group.id"),
            config.getList("bootstrap.servers"));
    }
}
