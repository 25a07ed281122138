package dev.plume.tests.bench;

import dev.plume.bootstrap.record.SpanRecordReader;
import dev.plume.bootstrap.record.SpanRing;
import dev.plume.bootstrap.trace.HeadSampler;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.SpanLimits;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import org.agrona.concurrent.MessageHandler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

import java.util.concurrent.TimeUnit;

/**
 * The ring on its own, with a typical record (a SERVER span with 8 attributes, about 300 bytes): {@code writeThenRead}
 * writes one record and reads it back on one thread (the cost of both sides, uncontended); the {@code pipe} group has
 * one writer and one reader thread, and its writer score is the records per second that pass through the ring, the
 * writer waiting (spinning) when the ring is full.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class RingThroughputBenchmark {

    private SpanRing ring;
    private SpanSlot span;
    private final SpanRecordReader reader = new SpanRecordReader();
    private MessageHandler handler;
    private long checksum;

    @Setup(Level.Trial)
    public void setUp() {
        ring = new SpanRing(SpanRing.DEFAULT_CAPACITY);
        Tracer.install(ring, HeadSampler.alwaysOn(), SpanLimits.defaults());
        // A detached span is not pooled, so its fields survive end() and the same record can be written again and again.
        span = Tracer.startDetachedSpan(InstrumentationScope.JDK_HTTP_SERVER, SpanKind.SERVER, "GET", "/users/{id}");
        BenchSpans.addAttributes(span, 8);
        span.end();
        handler = (type, buffer, index, length) -> checksum += reader.wrap(buffer, index, length).spanId();
        ring.read(handler, Integer.MAX_VALUE);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Tracer.uninstall();
    }

    @Benchmark
    @Group("writeThenRead")
    @GroupThreads(1)
    public int writeThenRead() {
        ring.write(span);
        return ring.read(handler, 1);
    }

    @Benchmark
    @Group("pipe")
    @GroupThreads(1)
    public boolean pipeWrite(Control control) {
        while (!ring.write(span)) {
            if (control.stopMeasurement) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    @Benchmark
    @Group("pipe")
    @GroupThreads(1)
    public int pipeRead() {
        int read = ring.read(handler, 256);
        if (read == 0) {
            Thread.onSpinWait();
        }
        return read;
    }
}
