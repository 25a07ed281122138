package dev.plume.instrumentation.kafka;

import dev.plume.bootstrap.messaging.KafkaSpans;
import net.bytebuddy.asm.Advice;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Inlined into {@code onCompletion(RecordMetadata, Exception)} of Kafka's per-record callback: the broker answered, the
 * record's span ends (with its partition and offset, or the failure), and the application's callback, called from
 * here, runs in the context the record was sent in.
 */
public final class KafkaAcknowledgedAdvice {
    private KafkaAcknowledgedAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static boolean enter(@Advice.This Object callback, @Advice.Argument(0) RecordMetadata metadata,
                                @Advice.Argument(1) Exception error) {
        return KafkaSpans.acknowledged(callback, metadata == null ? -1 : metadata.partition(),
            metadata == null || error != null ? -1 : metadata.offset(), error);
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter boolean attached) {
        KafkaSpans.callbackDone(attached);
    }
}
