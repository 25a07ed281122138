package dev.plume.tests.smoke;

import com.google.protobuf.ByteString;
import dev.plume.export.GrpcTestServer;
import dev.plume.export.OtlpTestServer;
import dev.plume.export.TestPorts;
import io.grpc.InsecureServerCredentials;
import io.grpc.Status;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Collectors that are away for a while, against sample apps under the agent with default retry settings: a collector
 * that starts 20 s after the application and then answers UNAVAILABLE twice (OTLP/HTTP and OTLP/gRPC), and an outage
 * that overflows the memory queue while a second process exits. Every span recorded meanwhile must arrive.
 * {@code -Dplume.test.outage.seconds=120} runs the second one as a two-minute outage.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class CollectorOutageSmokeTest {
    private static final Duration DELIVERY = Duration.ofSeconds(120);
    private static final long LATE_START_SECONDS = 20;

    @Test
    void aCollectorStarting20sLateThatAnswersUnavailableTwiceGetsEverySpanOverHttpAndGrpc() throws Exception {
        int httpPort = freePort();
        int grpcPort = freePort();
        Jdk jdk = InstalledJdks.all().get(0);
        try (TracedHttpApp http = TracedHttpApp.start(jdk, Map.of("otel.exporter.otlp.endpoint",
                 "http://127.0.0.1:" + httpPort));
             TracedHttpApp grpc = TracedHttpApp.start(jdk, Map.of("otel.exporter.otlp.endpoint",
                 "http://127.0.0.1:" + grpcPort, "otel.exporter.otlp.protocol", "grpc"))) {
            int requests = 0;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(LATE_START_SECONDS);
            while (System.nanoTime() < until) {
                assertEquals(200, http.get("/hello").statusCode());
                assertEquals(200, grpc.get("/hello").statusCode());
                requests++;
                Thread.sleep(200);
            }
            try (OtlpTestServer httpCollector = new OtlpTestServer(httpPort);
                 GrpcTestServer grpcCollector = GrpcTestServer.start(grpcPort, InsecureServerCredentials.create(),
                     (call, request, response) -> {
                         if (call < 2) {
                             response.onError(Status.UNAVAILABLE.withDescription("starting").asRuntimeException());
                         } else {
                             GrpcTestServer.OK.answer(call, request, response);
                         }
                     })) {
                httpCollector.script(new OtlpTestServer.Answer(503, new byte[0], "text/plain", Map.of()),
                    new OtlpTestServer.Answer(503, new byte[0], "text/plain", Map.of()));
                int expected = requests;
                http.process().explainFailures(() -> awaitSpanIds("OTLP/HTTP", expected,
                    () -> acceptedHttp(httpCollector)));
                grpc.process().explainFailures(() -> awaitSpanIds("OTLP/gRPC", expected,
                    () -> spanIds(grpcCollector.accepted())));
                assertTrue(httpCollector.received().size() >= 3, "the two 503 answers came first");
                assertTrue(grpcCollector.calls() >= 3, "the two UNAVAILABLE answers came first");
            }
        }
    }

    @Test
    void anOutageThatOverflowsTheQueueAndAProcessThatExitsDuringItLoseNothing(@TempDir Path spool) throws Exception {
        long outageSeconds = Long.getLong("plume.test.outage.seconds", 15);
        int port = freePort();
        Jdk jdk = InstalledJdks.all().get(0);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("otel.exporter.otlp.endpoint", "http://127.0.0.1:" + port);
        settings.put("otel.bsp.max.export.batch.size", "8");
        settings.put("plume.exporter.queue.batches", "4");
        settings.put("plume.exporter.spool.dir", spool.toString());
        settings.put("otel.javaagent.debug", "true");
        try (TracedHttpApp staying = TracedHttpApp.start(jdk, settings);
             TracedHttpApp exiting = TracedHttpApp.start(jdk, settings)) {
            int stayingRequests = 0;
            int exitingRequests = 0;
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(outageSeconds);
            boolean exited = false;
            while (System.nanoTime() < end) {
                assertEquals(200, staying.get("/chain").statusCode()); // three spans a request
                stayingRequests++;
                if (!exited && System.nanoTime() - start > TimeUnit.SECONDS.toNanos(outageSeconds) / 2) {
                    exiting.process().terminate(Duration.ofSeconds(30)); // mid-outage
                    exited = true;
                } else if (!exited) {
                    assertEquals(200, exiting.get("/hello").statusCode());
                    exitingRequests++;
                }
                Thread.sleep(50);
            }
            long spanCount = 3L * stayingRequests + exitingRequests;
            long spooledFiles = batchFiles(spool);
            assertTrue(spooledFiles > 0, "the memory queue overflowed to disk during the outage");
            System.out.printf("[outage] %d s: %d spans recorded (%d by the process that exited), %d batch files on"
                + " disk when the collector came back%n", outageSeconds, spanCount, exitingRequests, spooledFiles);
            try (OtlpTestServer collector = new OtlpTestServer(port)) {
                try {
                    awaitSpanIds("after the outage", spanCount, () -> acceptedHttp(collector));
                } catch (AssertionError e) {
                    List<String> files;
                    try (Stream<Path> list = Files.list(spool)) {
                        files = list.map(p -> p.getFileName().toString()).sorted().toList();
                    }
                    throw new AssertionError(e.getMessage() + "\nspool: " + files + "\nthe process that exited:\n"
                        + exiting.process().describe() + "\nthe process that stayed:\n" + staying.process().describe());
                }
                assertEquals(spanCount, acceptedHttp(collector).size());
                staying.process().terminate(Duration.ofSeconds(30));
                long spooled = staying.process().agentLogLines().stream()
                    .map(l -> java.util.regex.Pattern.compile("exporter stopped: .*, (\\d+) spooled,").matcher(l))
                    .filter(java.util.regex.Matcher::find).mapToLong(m -> Long.parseLong(m.group(1))).sum();
                assertTrue(spooled > 0, "the staying process spooled: " + staying.process().agentLogLines());
                assertEquals(0, batchFiles(spool), "the spool is empty once everything is delivered");
            }
        }
    }

    private static void awaitSpanIds(String what, long count, Supplier<Set<ByteString>> ids) throws Exception {
        long deadline = System.nanoTime() + DELIVERY.toNanos(); // a guard against hangs, not a speed assertion
        while (ids.get().size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": " + ids.get().size() + " of " + count + " spans arrived");
            }
            Thread.sleep(100);
        }
    }

    private static Set<ByteString> acceptedHttp(OtlpTestServer collector) {
        List<ExportTraceServiceRequest> requests = new ArrayList<>();
        for (OtlpTestServer.Received received : collector.accepted()) {
            try {
                requests.add(received.request());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return spanIds(requests);
    }

    private static Set<ByteString> spanIds(List<ExportTraceServiceRequest> requests) {
        Set<ByteString> ids = new HashSet<>();
        for (ExportTraceServiceRequest request : requests) {
            request.getResourceSpansList().forEach(r -> r.getScopeSpansList().forEach(s -> s.getSpansList()
                .forEach(span -> ids.add(span.getSpanId()))));
        }
        return ids;
    }

    private static long batchFiles(Path spool) throws IOException {
        try (Stream<Path> files = Files.list(spool)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".batch")).count();
        }
    }

    private static int freePort() throws IOException {
        return TestPorts.freeForLaterBind();
    }
}
