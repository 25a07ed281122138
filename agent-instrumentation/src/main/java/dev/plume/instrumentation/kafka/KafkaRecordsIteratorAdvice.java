package dev.plume.instrumentation.kafka;

import dev.plume.bootstrap.messaging.KafkaSpans;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

import java.util.Iterator;

/**
 * Inlined into {@code ConsumerRecords#iterator} (which {@code for} loops and {@code forEach} use): records from a traced
 * poll are handed out by an iterator that makes each one's process span.
 */
public final class KafkaRecordsIteratorAdvice {
    private KafkaRecordsIteratorAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.This Object records,
                            @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Iterator<?> iterator) {
        iterator = KafkaSpans.iterator(records, iterator);
    }
}
