package dev.plume.instrumentation.kafka;

import dev.plume.bootstrap.messaging.KafkaSpans;
import dev.plume.bootstrap.messaging.MessagingSpans;
import dev.plume.bootstrap.trace.EpochClock;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.Propagation;
import dev.plume.bootstrap.trace.Tracer;
import net.bytebuddy.asm.Advice;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;

/**
 * Inlined into {@code KafkaConsumer#poll}: a poll that returns records is a CONSUMER receive span from the call to its
 * return; what each record's processing needs (its creation context from its headers, topic, partition, offset, key) is
 * read here once and kept on the records.
 */
public final class KafkaPollAdvice {
    private KafkaPollAdvice() {
    }

    @Advice.OnMethodEnter(suppress = Throwable.class)
    public static long enter() {
        KafkaSpans.polling();
        return Tracer.enterCall(InstrumentationScope.KAFKA) > 0 ? 0 : EpochClock.nowEpochNanos();
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    public static void exit(@Advice.This Object consumer, @Advice.Enter long started,
                            @Advice.Return ConsumerRecords<?, ?> records) {
        try {
            if (started == 0 || records == null || records.isEmpty()) {
                return;
            }
            KafkaSpans.Batch batch = KafkaSpans.batch(consumer, records.count());
            String[] names = Propagation.names();
            Iterator<? extends ConsumerRecord<?, ?>> all = records.iterator();
            while (all.hasNext()) {
                ConsumerRecord<?, ?> record = all.next();
                Headers headers = record.headers();
                String[] values = MessagingSpans.headerValues();
                boolean any = false;
                for (int i = 0; i < names.length; i++) {
                    Header header = headers.lastHeader(names[i]);
                    if (header == null) {
                        String written = MessagingSpans.writtenName(names[i]);
                        header = written == null ? null : headers.lastHeader(written);
                    }
                    byte[] value = header == null ? null : header.value();
                    values[i] = value == null ? null : new String(value, StandardCharsets.UTF_8);
                    any |= value != null;
                }
                batch.add(record, record.topic(), record.partition(), record.offset(),
                    KafkaSpans.keyText(record.key()), record.value() == null ? -1 : record.serializedValueSize(),
                    any ? values : null);
            }
            KafkaSpans.polled(InstrumentationScope.KAFKA, records, batch, started);
        } finally {
            Tracer.exitCall(InstrumentationScope.KAFKA);
        }
    }
}
