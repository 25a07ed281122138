package dev.plume.bootstrap.record;

import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.Tracer;
import org.agrona.concurrent.MessageHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reader's pacing: it reads when a sixteenth of the ring waits, or when anything has waited the read delay. */
class SpanRingPacingTest {
    private static final MessageHandler IGNORE = (type, buffer, index, length) -> { };

    @AfterEach
    void uninstall() {
        Tracer.uninstall();
    }

    @Test
    void readsWhenEnoughWaitsOrWhenTheOldestHasWaitedLongEnough() {
        RecordingFixture fixture = RecordingFixture.standard();
        SpanRing ring = fixture.ring;
        long now = System.nanoTime();
        assertFalse(ring.readDue(now), "an empty ring is never due");

        record();
        assertTrue(ring.readDue(now), "the first span after a quiet spell is read at once");
        assertEquals(1, ring.read(IGNORE, Integer.MAX_VALUE, now));

        record();
        assertFalse(ring.readDue(now + SpanRing.READ_DELAY_NANOS / 2), "read again before the delay");
        assertTrue(ring.readDue(now + SpanRing.READ_DELAY_NANOS), "not read after the delay");
        assertEquals(1, ring.read(IGNORE, Integer.MAX_VALUE, now));

        long sixteenth = ring.capacity() / 16;
        int spans = 0;
        while (ring.bufferedBytes() < sixteenth) {
            assertFalse(ring.readDue(now + 1), "due with only " + ring.bufferedBytes() + " bytes waiting");
            record();
            spans++;
        }
        assertTrue(ring.readDue(now + 1), "a sixteenth of the ring waiting must be read without delay");
        assertEquals(spans, ring.read(IGNORE, Integer.MAX_VALUE, now + 1));
    }

    @Test
    void theReaderSleepsUntilTheNextReadCanBeDueAndShorterOnASmallRing() {
        SpanRing ring = new SpanRing(SpanRing.DEFAULT_CAPACITY);
        long now = System.nanoTime();
        ring.read(IGNORE, Integer.MAX_VALUE, now);
        assertEquals(SpanRing.READ_DELAY_NANOS, ring.nanosUntilReadDue(now), "the whole delay right after a read");
        assertEquals(SpanRing.READ_DELAY_NANOS / 4, ring.nanosUntilReadDue(now + SpanRing.READ_DELAY_NANOS * 3 / 4));
        assertEquals(0, ring.nanosUntilReadDue(now + SpanRing.READ_DELAY_NANOS), "due: no sleep");
        assertEquals(0, ring.nanosUntilReadDue(now + 2 * SpanRing.READ_DELAY_NANOS));

        // a sixteenth of the default ring: a burst must not fill it during a 10 ms sleep, so at most 1 ms
        SpanRing small = new SpanRing(SpanRing.MIN_CAPACITY);
        small.read(IGNORE, Integer.MAX_VALUE, now);
        assertEquals(1_000_000L, small.nanosUntilReadDue(now));
    }

    private static void record() {
        Tracer.startSpan(InstrumentationScope.JDK_HTTP_SERVER, SpanKind.SERVER, "GET", "/pacing").end();
    }
}
