package dev.plume.instrumentation.kafka;

import dev.plume.bootstrap.messaging.KafkaSpans;
import net.bytebuddy.asm.Advice;

/** Inlined into the constructors of Kafka's per-record callback: it takes over the span of the record being sent. */
public final class KafkaCallbackMadeAdvice {
    private KafkaCallbackMadeAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This Object callback) {
        KafkaSpans.callbackMade(callback);
    }
}
