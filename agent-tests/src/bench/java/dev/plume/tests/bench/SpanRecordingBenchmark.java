package dev.plume.tests.bench;

import dev.plume.bootstrap.record.SpanRing;
import dev.plume.bootstrap.trace.EpochClock;
import dev.plume.bootstrap.trace.HeadSampler;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.SpanLimits;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What recording one span costs the application's thread: start a SERVER span, set 0, 4 or 16 attributes (with
 * registered keys, as instrumentation sets them), end it (which writes its record into the ring). A drainer thread
 * reads the ring meanwhile, paced as the exporter reads it; the records it could not keep up with are printed at
 * tear-down, because a dropped span is cheaper than a written one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class SpanRecordingBenchmark {

    @Param({"0", "4", "16"})
    public int attributes;

    private static final long GIVEN_START = EpochClock.nowEpochNanos();

    private SpanRing ring;
    private RingDrainer drainer;

    @Setup(Level.Trial)
    public void install() {
        ring = new SpanRing(SpanRing.DEFAULT_CAPACITY);
        Tracer.install(ring, HeadSampler.alwaysOn(), SpanLimits.defaults());
        drainer = new RingDrainer(ring);
    }

    @TearDown(Level.Trial)
    public void uninstall() {
        Tracer.uninstall();
        long read = drainer.stop();
        long dropped = ring.droppedRingFull();
        System.out.printf("%n[ring] %d records read, %d dropped (ring full, %.2f%%), %d cut to fit%n", read, dropped,
                100.0 * dropped / Math.max(1, read + dropped), ring.cutToFit());
    }

    @Benchmark
    public void startEnd() {
        record();
    }

    @Benchmark
    @Threads(2)
    public void startEndTwoThreads() {
        record();
    }

    /**
     * The same span with its start and end times given rather than read: everything a span costs except the two
     * clock readings, whose cost {@link ClockBenchmark} measures on its own.
     */
    @Benchmark
    public void startEndGivenTimes() {
        SpanSlot span = Tracer.startSpan(InstrumentationScope.JDK_HTTP_SERVER, SpanKind.SERVER, "GET", "/users/{id}",
            GIVEN_START);
        BenchSpans.addAttributes(span, attributes);
        span.end(GIVEN_START + 1_000);
    }

    /** The same span with plain {@code String} keys, which each record carries in full instead of a key id. */
    @Benchmark
    public void startEndStringKeys() {
        SpanSlot span = Tracer.startSpan(InstrumentationScope.JDK_HTTP_SERVER, SpanKind.SERVER, "GET", "/users/{id}");
        BenchSpans.addAttributesWithStringKeys(span, attributes);
        span.end();
    }

    private void record() {
        SpanSlot span = Tracer.startSpan(InstrumentationScope.JDK_HTTP_SERVER, SpanKind.SERVER, "GET", "/users/{id}");
        BenchSpans.addAttributes(span, attributes);
        span.end();
    }
}
