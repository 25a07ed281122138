package dev.plume.bootstrap.record;

import dev.plume.bootstrap.trace.HeadSampler;
import dev.plume.bootstrap.trace.SpanLimits;
import dev.plume.bootstrap.trace.Tracer;
import org.agrona.concurrent.MessageHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** A live tracer over a real ring, and a way to read back what was recorded as decoded values. */
public final class RecordingFixture {
    public final SpanRing ring;
    private final SpanRecordReader reader = new SpanRecordReader();

    public RecordingFixture(int capacity, HeadSampler sampler, SpanLimits limits) {
        ring = new SpanRing(capacity);
        Tracer.install(ring, sampler, limits);
    }

    public static RecordingFixture standard() {
        return new RecordingFixture(SpanRing.MIN_CAPACITY * 2, HeadSampler.alwaysOn(), SpanLimits.defaults());
    }

    /** Reads every record now in the ring, mapping each through {@code decode} while the reader points at it. */
    public <T> List<T> drain(Function<SpanRecordReader, T> decode) {
        List<T> out = new ArrayList<>();
        MessageHandler handler = (type, buffer, index, length) -> out.add(decode.apply(reader.wrap(buffer, index,
            length)));
        while (ring.read(handler) > 0) {
            // keep reading until empty
        }
        return out;
    }

    public List<DecodedSpan> drain() {
        return drain(DecodedSpan::of);
    }
}
