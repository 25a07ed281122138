package dev.plume.export;

import dev.plume.bootstrap.record.SpanRecordReader;
import dev.plume.bootstrap.record.SpanRing;
import dev.plume.bootstrap.trace.HeadSampler;
import dev.plume.bootstrap.trace.SpanLimits;
import dev.plume.bootstrap.trace.Tracer;

import java.util.function.Consumer;

/** A real {@link SpanRing} with the real {@link Tracer} recording into it, for tests; close it to uninstall. */
public final class TracingRing implements AutoCloseable {
    private final SpanRing ring;

    private TracingRing(int capacity, SpanLimits limits) {
        ring = new SpanRing(capacity);
        Tracer.install(ring, HeadSampler.alwaysOn(), limits);
    }

    public static TracingRing install() {
        return new TracingRing(SpanRing.MIN_CAPACITY, SpanLimits.defaults());
    }

    public static TracingRing install(SpanLimits limits) {
        return new TracingRing(SpanRing.MIN_CAPACITY, limits);
    }

    public SpanRing ring() {
        return ring;
    }

    /** Reads every record now in the ring, handing each to {@code consumer} while it is still in the ring. */
    public int drain(Consumer<SpanRecordReader> consumer) {
        SpanRecordReader reader = new SpanRecordReader();
        int total = 0;
        int read;
        do {
            read = ring.read((type, buffer, index, length) ->
                consumer.accept(reader.wrap(buffer, index, length)));
            total += read;
        } while (read > 0);
        return total;
    }

    @Override
    public void close() {
        Tracer.uninstall();
    }
}
