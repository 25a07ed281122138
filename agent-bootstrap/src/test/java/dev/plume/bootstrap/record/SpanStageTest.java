package dev.plume.bootstrap.record;

import dev.plume.bootstrap.trace.HeadSampler;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.SpanLimits;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A thread's spans go through its stage and reach the reader whole, in order, and none is lost on the way. */
class SpanStageTest {

    @AfterEach
    void uninstall() {
        Tracer.uninstall();
    }

    @Test
    void aThreadsSpansArriveInTheOrderTheyEndedAcrossWrapsAndLargeRecords() {
        RecordingFixture fixture = RecordingFixture.standard();
        List<Long> read = new ArrayList<>();
        int spans = 5_000; // ~40 times around the stage, with a large record now and then
        for (int i = 0; i < spans; i++) {
            SpanSlot span = Tracer.startSpan(0, SpanKind.INTERNAL, "span", null);
            span.setAttribute("sequence", (long) i);
            // a varied size moves the wrap point; every 97th is larger than a stage takes and goes to the ring itself
            span.setAttribute("filler", "x".repeat(i % 97 == 0 ? SpanStage.MAX_RECORD_LENGTH : i % 300));
            span.end();
            if (i % 1_000 == 999) {
                read.addAll(fixture.drain(r -> r.attributeLong(0)));
            }
        }
        read.addAll(fixture.drain(r -> r.attributeLong(0)));
        assertEquals(spans, read.size());
        for (int i = 0; i < spans; i++) {
            assertEquals(i, read.get(i), "span " + i + " out of order");
        }
        assertEquals(0, fixture.ring.bufferedBytes());
        assertEquals(0, fixture.ring.droppedRingFull() + fixture.ring.droppedEncodingFailed());
    }

    @Test
    void aQuietThreadsSpansAreReadAndTheStageOfAThreadThatEndedIsUsedAgain() throws Exception {
        RecordingFixture fixture = RecordingFixture.standard();
        for (int t = 0; t < 5; t++) {
            Thread thread = new Thread(() -> Tracer.startSpan(0, SpanKind.INTERNAL, "one", null).end());
            thread.start();
            thread.join();
            // the thread staged one span and ended: the read finds it, then frees the stage for the next thread
            assertEquals(List.of("one"), fixture.drain(SpanRecordReader::name));
        }
        assertEquals(1, fixture.ring.stageCount(), "one stage served the five threads one after the other");
    }

    @Test
    void threadsPastTheStageLimitWriteIntoTheRingItself() throws Exception {
        RecordingFixture fixture = RecordingFixture.standard();
        int threads = fixture.ring.maxStages() + 4;
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> started = startHolders(threads, release);
        assertEquals(threads, fixture.drain(SpanRecordReader::name).size());
        assertEquals(fixture.ring.maxStages(), fixture.ring.stageCount());
        release.countDown();
        for (Thread thread : started) {
            thread.join();
        }
    }

    /** Threads that each record one span and stay alive (holding their stage) until {@code release}. */
    private static List<Thread> startHolders(int threads, CountDownLatch release) throws InterruptedException {
        CountDownLatch recorded = new CountDownLatch(threads);
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread thread = new Thread(() -> {
                Tracer.startSpan(0, SpanKind.INTERNAL, "held", null).end();
                recorded.countDown();
                try {
                    release.await(); // alive, so no stage is freed while the others start
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            thread.start();
            started.add(thread);
        }
        recorded.await();
        return started;
    }

    @Test
    void aThreadThatFoundNoStageGetsOneOnceThoseOfEndedThreadsAreFree() throws Exception {
        RecordingFixture fixture = RecordingFixture.standard();
        int holders = fixture.ring.maxStages();
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> started = startHolders(holders, release);
        Tracer.startSpan(0, SpanKind.INTERNAL, "without", null).end();
        assertFalse(fixture.ring.ownsStage(Thread.currentThread()), "every stage was taken");
        release.countDown();
        for (Thread thread : started) {
            thread.join();
        }
        int read = fixture.drain(SpanRecordReader::name).size(); // frees the stages of the threads that ended
        for (int i = 0; i < 4_096; i++) {
            Tracer.startSpan(0, SpanKind.INTERNAL, "later", null).end();
        }
        assertTrue(fixture.ring.ownsStage(Thread.currentThread()), "asked again, and got a freed stage");
        read += fixture.drain(SpanRecordReader::name).size();
        assertEquals(holders + 1 + 4_096, read);
    }

    @Test
    void stagedSpansWaitForRoomWhenTheRingIsFullAndEverySpanIsAccountedFor() {
        SpanRing ring = new SpanRing(SpanRing.MIN_CAPACITY);
        Tracer.install(ring, HeadSampler.alwaysOn(), SpanLimits.defaults());
        int recorded = 0;
        // no reader: the stage fills, moves into the ring block by block until the ring is full; later spans drop
        for (; recorded < 20_000; recorded++) {
            SpanSlot span = Tracer.startSpan(0, SpanKind.INTERNAL, "span", null);
            span.setAttribute("filler", "y".repeat(100));
            span.end();
        }
        assertTrue(ring.droppedRingFull() > 0, "the ring filled");
        long[] read = new long[1];
        while (ring.read((type, buffer, index, length) -> read[0]++) > 0) {
            // reading frees the ring, and the stage's spans move in behind
        }
        assertEquals(recorded, read[0] + ring.droppedRingFull(), "recorded = read + dropped");
        assertEquals(0, ring.bufferedBytes());
    }
}
