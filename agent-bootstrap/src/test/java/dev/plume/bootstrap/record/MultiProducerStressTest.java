package dev.plume.bootstrap.record;

import dev.plume.bootstrap.trace.HeadSampler;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.SpanLimits;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import org.agrona.concurrent.MessageHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several threads record spans with random attributes while one reader consumes. Each span carries its producer and
 * sequence number, from which the reader regenerates every expected field and compares it exactly.
 */
class MultiProducerStressTest {
    private static final int PRODUCERS = 4;
    private static final int SPANS_PER_PRODUCER = 500_000;
    private static final String[] WORDS = {"a", "orders", "日本語", "😀 emoji", "Ünïcödé", "/api/v1/items", "",
        "x".repeat(300)};

    @AfterEach
    void uninstall() {
        Tracer.uninstall();
    }

    @Test
    void everyRecordRoundTripsAndEverySpanIsAccountedFor() throws Exception {
        SpanRing ring = new SpanRing(1 << 20);
        Tracer.install(ring, HeadSampler.alwaysOn(), SpanLimits.defaults());
        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicLong read = new AtomicLong();
        AtomicReference<String> firstMismatch = new AtomicReference<>();
        SpanRecordReader reader = new SpanRecordReader();
        MessageHandler verify = (type, buffer, index, length) -> {
            reader.wrap(buffer, index, length);
            String mismatch = check(reader);
            if (mismatch != null) {
                firstMismatch.compareAndSet(null, mismatch);
            }
            read.incrementAndGet();
        };
        Thread consumer = new Thread(() -> {
            while (producing.get() || ring.bufferedBytes() > 0) {
                if (ring.read(verify, 256) == 0) {
                    Thread.onSpinWait();
                }
            }
        });
        consumer.start();
        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            int producer = p;
            Thread thread = new Thread(() -> produce(producer));
            producers.add(thread);
            thread.start();
        }
        for (Thread thread : producers) {
            thread.join();
        }
        producing.set(false);
        consumer.join();

        assertNull(firstMismatch.get());
        long recorded = (long) PRODUCERS * SPANS_PER_PRODUCER;
        assertEquals(recorded, read.get() + ring.droppedRingFull(), "recorded = read + dropped");
        assertEquals(0, ring.droppedEncodingFailed());
        assertTrue(read.get() > 0);
    }

    private static void produce(int producer) {
        for (int sequence = 0; sequence < SPANS_PER_PRODUCER; sequence++) {
            SplittableRandom random = new SplittableRandom(seed(producer, sequence));
            SpanSlot span = Tracer.startSpan(random.nextInt(3), 1 + random.nextInt(5), WORDS[random.nextInt(8)],
                random.nextBoolean() ? null : WORDS[random.nextInt(8)]);
            span.setAttribute("producer", (long) producer).setAttribute("sequence", (long) sequence);
            int attributes = random.nextInt(6);
            for (int a = 0; a < attributes; a++) {
                switch (random.nextInt(4)) {
                    case 0 -> span.setAttribute("s" + a, WORDS[random.nextInt(8)]);
                    case 1 -> span.setAttribute("l" + a, random.nextLong());
                    case 2 -> span.setAttribute("d" + a, random.nextDouble());
                    default -> span.setAttribute("b" + a, random.nextBoolean());
                }
            }
            if (random.nextInt(4) == 0) {
                span.addEvent(WORDS[random.nextInt(8)]);
                span.setEventAttribute("n", random.nextLong());
            }
            span.end();
        }
    }

    /** Regenerates the span from (producer, sequence) and compares; returns a description of the first difference. */
    private static String check(SpanRecordReader r) {
        if (r.attributeCount() < 2 || !"producer".equals(r.attributeKey(0)) || !"sequence".equals(r.attributeKey(1))) {
            return "missing producer/sequence";
        }
        int producer = (int) r.attributeLong(0);
        int sequence = (int) r.attributeLong(1);
        SplittableRandom random = new SplittableRandom(seed(producer, sequence));
        String where = " in span " + producer + "/" + sequence;
        if (r.scopeId() != random.nextInt(3)) {
            return "scope" + where;
        }
        if (r.kind() != 1 + random.nextInt(5)) {
            return "kind" + where;
        }
        String name = WORDS[random.nextInt(8)];
        String suffix = random.nextBoolean() ? null : WORDS[random.nextInt(8)];
        if (!r.name().equals(suffix == null ? name : name + " " + suffix)) {
            return "name" + where;
        }
        int attributes = random.nextInt(6);
        if (r.attributeCount() != 2 + attributes) {
            return "attribute count" + where;
        }
        for (int a = 0; a < attributes; a++) {
            int i = 2 + a;
            boolean same = switch (random.nextInt(4)) {
                case 0 -> r.attributeKey(i).equals("s" + a) && r.attributeString(i).equals(WORDS[random.nextInt(8)]);
                case 1 -> r.attributeKey(i).equals("l" + a) && r.attributeLong(i) == random.nextLong();
                case 2 -> r.attributeKey(i).equals("d" + a) && r.attributeDouble(i) == random.nextDouble();
                default -> r.attributeKey(i).equals("b" + a) && r.attributeBoolean(i) == random.nextBoolean();
            };
            if (!same) {
                return "attribute " + a + where;
            }
        }
        boolean event = random.nextInt(4) == 0;
        if (r.eventCount() != (event ? 1 : 0)) {
            return "event count" + where;
        }
        if (event) {
            if (!r.eventName(0).equals(WORDS[random.nextInt(8)])) {
                return "event name" + where;
            }
            int i = r.eventAttributeStart(0);
            if (r.eventAttributeEnd(0) != i + 1 || !r.attributeKey(i).equals("n")
                || r.attributeLong(i) != random.nextLong()) {
                return "event attribute" + where;
            }
        }
        if (r.startEpochNanos() > r.endEpochNanos() || r.spanId() == 0 || (r.traceIdHigh() | r.traceIdLow()) == 0) {
            return "ids or times" + where;
        }
        return null;
    }

    private static long seed(int producer, int sequence) {
        return ((long) producer << 32) | sequence;
    }
}
