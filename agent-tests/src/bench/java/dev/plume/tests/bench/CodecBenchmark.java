package dev.plume.tests.bench;

import dev.plume.bootstrap.record.SpanRecordCodec;
import dev.plume.bootstrap.record.SpanRing;
import dev.plume.bootstrap.trace.HeadSampler;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.SpanLimits;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Where a span's write time goes, without the ring: measuring the record ({@code plan}) and encoding it into a
 * cache-warm buffer ({@code encode}), for the span {@link SpanRecordingBenchmark} records.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class CodecBenchmark {
    private static final int MAX_LENGTH = 1 << 16;

    @Param({"0", "4", "16"})
    public int attributes;

    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_LENGTH));
    private SpanSlot span;
    private long plan;

    @Setup
    public void setUp() {
        Tracer.install(new SpanRing(SpanRing.MIN_CAPACITY), HeadSampler.alwaysOn(), SpanLimits.defaults());
        span = Tracer.startSpan(InstrumentationScope.JDK_HTTP_SERVER, SpanKind.SERVER, "GET", "/users/{id}");
        BenchSpans.addAttributes(span, attributes);
        plan = SpanRecordCodec.plan(span, MAX_LENGTH);
    }

    @TearDown
    public void tearDown() {
        Tracer.uninstall();
    }

    @Benchmark
    public long plan() {
        return SpanRecordCodec.plan(span, MAX_LENGTH);
    }

    @Benchmark
    public int encode() {
        return SpanRecordCodec.encode(span, plan, buffer, 0);
    }
}
