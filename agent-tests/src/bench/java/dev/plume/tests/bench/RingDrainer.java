package dev.plume.tests.bench;

import dev.plume.bootstrap.record.SpanRecordReader;
import dev.plume.bootstrap.record.SpanRing;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.MessageHandler;

import java.util.concurrent.TimeUnit;

/**
 * Reads the ring on its own thread, paced as the exporter thread reads it (each record is wrapped by a reader, nothing
 * is encoded), so that recording benchmarks measure writes into a ring that has room rather than drops.
 */
final class RingDrainer implements AutoCloseable {

    private final SpanRing ring;
    private final SpanRecordReader reader = new SpanRecordReader();
    private final MessageHandler handler = (type, buffer, index, length) -> reader.wrap(buffer, index, length);
    private final Thread thread;
    private volatile boolean running = true;
    private long read;

    RingDrainer(SpanRing ring) {
        this.ring = ring;
        this.thread = new Thread(this::run, "bench-ring-drainer");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        IdleStrategy idle = new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MICROSECONDS.toNanos(100));
        while (running) {
            long now = System.nanoTime();
            int count = ring.readDue(now) ? ring.read(handler, 1024, now) : 0;
            read += count;
            idle.idle(count);
        }
    }

    /** Stops the thread and returns how many records it read. */
    long stop() {
        running = false;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return read;
    }

    @Override
    public void close() {
        stop();
    }
}
