package dev.plume.instrumentation.kafka;

import dev.plume.bootstrap.messaging.KafkaSpans;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Inlined into {@code ConsumerRecords#records(TopicPartition)} and {@code records(String topic)}: the records of one
 * partition or topic from a traced poll are handed out as a list or iterable whose iteration makes each record's
 * process span, as the poll's own iterator does.
 */
public final class KafkaRecordsOfAdvice {
    private KafkaRecordsOfAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This Object records,
                            @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object result) {
        result = KafkaSpans.records(records, result);
    }
}
