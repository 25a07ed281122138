package dev.plume.tests.bench;

import dev.plume.bootstrap.context.ContextCarrier;
import dev.plume.bootstrap.context.TaskContexts;
import dev.plume.bootstrap.record.SpanRing;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What handing a task from a request to another thread costs (issue 10), on the paths the executors instrumentation
 * takes: capture where the task is made or submitted, attach and detach around its run. {@code carrier}: a task whose
 * class got the agent's field (FutureTask, ForkJoinTask, a virtual thread's runner). {@code lambda}: any other task, kept
 * in the weak map. Both under a span that stays open (its context snapshot made once); {@code perSpan} pays for the
 * snapshot too: one span, one hand-off. Run with {@code -prof gc} for bytes per hand-off.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class HandOffBenchmark {
    /** Shaped as the agent makes FutureTask: one field behind the carrier interface. */
    static final class CarrierTask implements Runnable, ContextCarrier {
        private volatile Object context;

        @Override
        public Object plume$getContext() {
            return context;
        }

        @Override
        public void plume$setContext(Object value) {
            context = value;
        }

        @Override
        public void run() {
        }
    }

    private SpanRing ring;
    private RingDrainer drainer;
    private SpanSlot open;
    private final CarrierTask carrier = new CarrierTask();
    private final Runnable lambda = () -> { };

    @Setup(Level.Trial)
    public void install() {
        ring = new SpanRing(SpanRing.DEFAULT_CAPACITY);
        Tracer.install(ring, HeadSampler.alwaysOn(), SpanLimits.defaults());
        drainer = new RingDrainer(ring);
        open = Tracer.startSpan(InstrumentationScope.SERVLET, SpanKind.SERVER, "GET", "/hand-off");
    }

    @TearDown(Level.Trial)
    public void uninstall() {
        open.end();
        Tracer.uninstall();
        drainer.stop();
    }

    @Benchmark
    public void carrier() {
        carrier.plume$setContext(null); // a new task each time, as far as the hand-off can tell
        handOff(carrier);
    }

    @Benchmark
    public void lambda() {
        handOff(lambda);
    }

    @Benchmark
    public void perSpan() {
        SpanSlot span = Tracer.startSpan(InstrumentationScope.SERVLET, SpanKind.INTERNAL, "task", null);
        carrier.plume$setContext(null);
        TaskContexts.capture(carrier);
        span.end();
        TaskContexts.run(carrier);
    }

    /** Capture (the submitting thread), then run it here: attach, run, detach (the worker's side). */
    private static void handOff(Runnable task) {
        TaskContexts.capture(task);
        Tracer.attach(null); // as on a worker thread: nothing current, so the task's context is attached for its run
        try {
            TaskContexts.run(task);
        } finally {
            Tracer.detach();
        }
    }
}
