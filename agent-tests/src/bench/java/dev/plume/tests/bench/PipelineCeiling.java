package dev.plume.tests.bench;

import dev.plume.bootstrap.config.PlumeConfig;
import dev.plume.bootstrap.record.SpanRing;
import dev.plume.bootstrap.trace.HeadSampler;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.SpanLimits;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import dev.plume.export.PlumeExporter;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The pipeline ceiling: spans per second through ring → exporter thread (record reader, OTLP encoder, OkHttp sender)
 * → a local receiver, with no application in the way. One producer thread records SERVER spans with 8 attributes as
 * fast as the ring takes them (it pauses while the ring is more than half full, so it measures the exporter, not
 * drops); the real {@link PlumeExporter}, with default batch settings, sends to an in-process
 * {@link CountingOtlpReceiver} that counts spans by walking the protobuf. Run in its own JVM with
 * {@code --add-opens java.base/jdk.internal.misc=ALL-UNNAMED}. Prints {@code RESULT key=value ...}.
 *
 * <p>Arguments: {@code [--warmup-seconds 2] [--seconds 8] [--set otel.key=value ...]}.
 */
public final class PipelineCeiling {

    private static volatile boolean producing = true;

    public static void main(String[] args) throws Exception {
        LoadGenerator.Arguments arguments = new LoadGenerator.Arguments(args);
        double warmupSeconds = Double.parseDouble(arguments.get("--warmup-seconds", "2"));
        double seconds = Double.parseDouble(arguments.get("--seconds", "8"));

        try (CountingOtlpReceiver receiver = CountingOtlpReceiver.start(0, 0)) {
            SpanRing ring = new SpanRing(SpanRing.DEFAULT_CAPACITY);
            Tracer.install(ring, HeadSampler.alwaysOn(), SpanLimits.defaults());
            Map<String, String> properties = new HashMap<>();
            properties.put("otel.exporter.otlp.endpoint", receiver.endpoint());
            properties.put("otel.service.name", "pipeline-ceiling");
            // --set key=value: any other agent setting, e.g. otel.bsp.max.export.batch.size=2048
            for (int i = 0; i + 1 < args.length; i++) {
                if (args[i].equals("--set")) {
                    String[] pair = args[i + 1].split("=", 2);
                    properties.put(pair[0], pair[1]);
                }
            }
            PlumeConfig config = PlumeConfig.of(properties, Map.of(), System.err::println);
            PlumeExporter exporter = PlumeExporter.start(config, ring, "bench");

            long[] produced = new long[1];
            Thread producer = new Thread(() -> produced[0] = produce(ring), "producer");
            producer.start();

            TimeUnit.NANOSECONDS.sleep((long) (warmupSeconds * 1e9));
            long exported0 = exporter.metrics().spansExported();
            long received0 = receiver.spans();
            long bytes0 = receiver.bytes();
            long requests0 = receiver.requests();
            long pid = ProcessHandle.current().pid();
            ThreadCpu cpu0 = ThreadCpu.of(pid);
            long start = System.nanoTime();
            TimeUnit.NANOSECONDS.sleep((long) (seconds * 1e9));
            long exported1 = exporter.metrics().spansExported();
            long received1 = receiver.spans();
            long bytes1 = receiver.bytes();
            long requests1 = receiver.requests();
            double window = (System.nanoTime() - start) / 1e9;
            Map<String, Long> cpu = ThreadCpu.of(pid).since(cpu0, PipelineCeiling::part);
            producing = false;
            producer.join();
            exporter.shutdown();
            Tracer.uninstall();

            System.out.println(String.format(Locale.ROOT,
                    "RESULT spans_per_s=%.0f received_spans_per_s=%.0f mb_per_s=%.1f requests_per_s=%.1f"
                            + " produced=%d exported_total=%d received_total=%d dropped=%d%s",
                    (exported1 - exported0) / window, (received1 - received0) / window,
                    (bytes1 - bytes0) / window / 1e6, (requests1 - requests0) / window,
                    produced[0], exporter.metrics().spansExported(), receiver.spans(),
                    exporter.metrics().spansDroppedTotal(), cpuPerSpan(cpu, exported1 - exported0)));
        }
    }

    /** The parts of the pipeline a thread belongs to, by its name. */
    static String part(String thread) {
        if (thread.equals("producer")) {
            return "producer";
        }
        if (thread.equals("plume-exporter")) {
            return "exporter";
        }
        if (thread.startsWith("plume-") || thread.startsWith("OkHttp") || thread.startsWith("Okio")) {
            return "sending"; // the send queue's thread, OkHttp's call threads and its timers
        }
        String group = ThreadCpu.group(thread);
        return group.equals("app") ? "receiver" : group; // the rest of this JVM's own threads serve the receiver
    }

    /**
     * CPU µs per exported span of each part, and spans/s per exporter core: the spans the exporter thread and its
     * sending threads move per second of their own CPU (on a shared machine, steadier than spans/s).
     */
    private static String cpuPerSpan(Map<String, Long> cpu, long spans) {
        if (cpu.isEmpty() || spans <= 0) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        for (String part : List.of("producer", "exporter", "sending", "receiver", "jit", "jvm")) {
            text.append(String.format(Locale.ROOT, " cpu_us_per_span_%s=%.3f", part,
                    cpu.getOrDefault(part, 0L) / 1e3 / spans));
        }
        long exporterNanos = cpu.getOrDefault("exporter", 0L) + cpu.getOrDefault("sending", 0L);
        if (exporterNanos > 0) {
            text.append(String.format(Locale.ROOT, " spans_per_exporter_core=%.0f", spans * 1e9 / exporterNanos));
        }
        return text.toString();
    }

    private static long produce(SpanRing ring) {
        long count = 0;
        long halfFull = ring.capacity() / 2;
        while (producing) {
            if (ring.bufferedBytes() > halfFull) {
                LockSupport.parkNanos(20_000);
                continue;
            }
            for (int i = 0; i < 64; i++) {
                SpanSlot span = Tracer.startSpan(InstrumentationScope.JDK_HTTP_SERVER, SpanKind.SERVER, "GET",
                        "/users/{id}");
                BenchSpans.addAttributes(span, 8);
                span.end();
            }
            count += 64;
        }
        return count;
    }
}
