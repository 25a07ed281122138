package dev.plume.tests.bench;

import dev.plume.bootstrap.record.SpanRecordReader;
import dev.plume.bootstrap.record.SpanRing;
import dev.plume.bootstrap.trace.HeadSampler;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.SpanLimits;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import dev.plume.export.otlp.OtlpTraceEncoder;
import dev.plume.export.resource.Resource;
import org.agrona.concurrent.UnsafeBuffer;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The exporter thread's cost per span: wrap a record (a SERVER span with 8 attributes) and append it to the OTLP
 * request; every 512 spans (the default batch) the request is written out into a new payload array, as the OTLP/HTTP
 * sender makes it (uncompressed), and the encoder reset, amortized per span.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class OtlpEncodeBenchmark {

    private static final int BATCH = 512;

    private final SpanRecordReader reader = new SpanRecordReader();
    private UnsafeBuffer record;
    private OtlpTraceEncoder encoder;

    @Setup(Level.Trial)
    public void setUp() {
        SpanRing ring = new SpanRing(SpanRing.MIN_CAPACITY);
        Tracer.install(ring, HeadSampler.alwaysOn(), SpanLimits.defaults());
        SpanSlot span = Tracer.startSpan(InstrumentationScope.JDK_HTTP_SERVER, SpanKind.SERVER, "GET", "/users/{id}");
        BenchSpans.addAttributes(span, 8);
        span.end();
        Tracer.uninstall();
        ring.read((type, buffer, index, length) -> {
            record = new UnsafeBuffer(new byte[length]);
            record.putBytes(0, buffer, index, length);
        }, 1);
        encoder = new OtlpTraceEncoder(new Resource(Map.of("service.name", "bench", "host.name", "localhost")),
                "bench");
    }

    @Benchmark
    public int encodeSpan() {
        encoder.append(reader.wrap(record, 0, record.capacity()));
        if (encoder.spanCount() == BATCH) {
            byte[] payload = new byte[encoder.requestLength()];
            encoder.writeRequest(payload, 0);
            encoder.reset();
            return payload.length;
        }
        return 0;
    }
}
