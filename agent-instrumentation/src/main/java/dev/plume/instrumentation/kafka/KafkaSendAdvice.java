package dev.plume.instrumentation.kafka;

import dev.plume.bootstrap.messaging.KafkaSpans;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.Propagation;
import dev.plume.bootstrap.trace.Tracer;
import net.bytebuddy.asm.Advice;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Future;

/**
 * Inlined into {@code KafkaProducer#send(ProducerRecord, Callback)}, where every send goes: a PRODUCER span whose
 * context is written into the record's headers; Kafka's callback object for the record takes it over, and a record
 * refused at once ends it here.
 */
public final class KafkaSendAdvice {
    private KafkaSendAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static KafkaSpans.Send enter(@Advice.This Object producer, @Advice.Argument(0) ProducerRecord<?, ?> record) {
        if (Tracer.enterCall(InstrumentationScope.KAFKA) > 0 || record == null) {
            return null;
        }
        KafkaSpans.Send send = KafkaSpans.startSend(InstrumentationScope.KAFKA, producer, record.topic(),
            KafkaSpans.keyText(record.key()), record.value() == null);
        if (send != null) {
            try {
                Headers headers = record.headers();
                for (int i = 0; i < Propagation.outgoingCount(); i++) {
                    String value = send.outgoingValue(i);
                    if (value != null) {
                        String name = Propagation.outgoingName(i);
                        headers.remove(name);
                        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
                    }
                }
            } catch (Throwable ignored) {
                // a record sent before has read-only headers: it goes out as it is
            }
        }
        return send;
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.Enter KafkaSpans.Send send, @Advice.Return Future<?> result,
                            @Advice.Thrown Throwable error) {
        KafkaSpans.sendReturned(InstrumentationScope.KAFKA, send, result, error);
    }
}
