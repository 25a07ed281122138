package dev.plume.export.otlp;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.config.PlumeConfig;
import dev.plume.export.DropReason;
import dev.plume.export.ExporterMetrics;
import dev.plume.export.GrpcTestServer;
import dev.plume.export.OtlpTestServer;
import dev.plume.export.PlumeExporter;
import dev.plume.export.TracingRing;
import io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.plume.export.otlp.GrpcSenderTest.await;
import static dev.plume.export.otlp.GrpcSenderTest.freePort;
import static dev.plume.export.otlp.GrpcSenderTest.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backends that are away, late, failing or silent, against the running exporter: what it keeps, what it spools to disk,
 * what it delivers when the backend returns (in this run or the next), and how long exit waits.
 */
@Timeout(90) // a guard against hangs, not a speed assertion
class OutageTest {
    private static final String VERSION = "9.9.9";

    private TracingRing tracing;
    private final List<PlumeExporter> exporters = new ArrayList<>();
    private final List<AutoCloseable> servers = new ArrayList<>();
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() {
        tracing = TracingRing.install();
        PlumeLog.redirect(new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (PlumeExporter exporter : exporters) {
            exporter.shutdown();
        }
        PlumeLog.redirect(System.err);
        tracing.close();
        for (AutoCloseable server : servers) {
            server.close();
        }
    }

    @Test
    void aLateCollectorThatAnswersUnavailableTwiceGetsEverythingOverHttp() throws Exception {
        int port = freePort();
        PlumeExporter exporter = start("http://127.0.0.1:" + port, Map.of("plume.exporter.retry.max.attempts", "3"));
        record("early", 9);
        await(() -> exporter.metrics().retries() >= 4, "several refused attempts while the collector is away");
        OtlpTestServer server = serve(new OtlpTestServer(port));
        server.script(new OtlpTestServer.Answer(503, new byte[0], "text/plain", Map.of()),
            new OtlpTestServer.Answer(503, new byte[0], "text/plain", Map.of()));
        await(() -> exporter.metrics().spansExported() == 9, "delivery through two UNAVAILABLE answers");

        assertEquals(0, exporter.metrics().spansDroppedTotal(), exporter.metrics().toString());
        assertEquals(9, server.acceptedSpanNames().size());
        assertAccounted(exporter.metrics(), 9);
    }

    @Test
    void aLateCollectorThatAnswersUnavailableTwiceGetsEverythingOverGrpc() throws Exception {
        int port = freePort();
        Map<String, String> grpc = Map.of("otel.exporter.otlp.protocol", "grpc",
            "plume.exporter.retry.max.attempts", "3");
        PlumeExporter exporter = start("http://127.0.0.1:" + port, grpc);
        record("early", 9);
        await(() -> exporter.metrics().retries() >= 4, "several refused attempts while the collector is away");
        GrpcTestServer server = serve(GrpcTestServer.start(port, io.grpc.InsecureServerCredentials.create(),
            (call, request, response) -> {
                if (call < 2) {
                    response.onError(Status.UNAVAILABLE.withDescription("starting").asRuntimeException());
                } else {
                    GrpcTestServer.OK.answer(call, request, response);
                }
            }));
        await(() -> exporter.metrics().spansExported() == 9, "delivery through two UNAVAILABLE answers");

        assertEquals(0, exporter.metrics().spansDroppedTotal(), exporter.metrics().toString());
        // the server saw the refused (UNAVAILABLE) requests too: nine distinct spans in all
        assertEquals(9, server.spanNames().stream().distinct().count());
    }

    @Test
    void anOutageThatOverflowsTheMemoryQueueIsKeptOnDiskAndDeliveredOldestFirst(@TempDir Path spool) throws Exception {
        int port = freePort();
        PlumeExporter exporter = start("http://127.0.0.1:" + port, withSpool(spool, Map.of(
            "plume.exporter.queue.batches", "2")));
        for (int i = 0; i < 8; i++) {
            record("wave" + i + "-", 5);
            int recorded = 5 * (i + 1);
            ExporterMetrics metrics = exporter.metrics();
            // each wave its own batch: read and handed to the queue before the next is recorded
            // (queued, not merely buffered: a wave read within the batch's 20 ms would join the previous one)
            await(() -> metrics.spansRead() == recorded && metrics.spansQueued() + metrics.spansSpooled()
                == recorded, "wave " + i + " batched");
        }
        await(() -> exporter.metrics().spansSpooled() >= 20, "the oldest batches left memory for the disk: " + exporter.metrics());
        assertEquals(0, exporter.metrics().spansDroppedTotal(), exporter.metrics().toString());
        assertTrue(batchFiles(spool) > 0);

        OtlpTestServer server = serve(new OtlpTestServer(port));
        await(() -> exporter.metrics().spansExported() + exporter.metrics().spoolSpansSent() == 40,
            "everything delivered once the backend is back");
        List<String> names = server.acceptedSpanNames();
        assertEquals(40, names.size(), names.toString());
        assertEquals(40, names.stream().distinct().count(), "each span once");
        // the probe that finds the backend back is the oldest batch on disk; after it, two requests are in flight
        assertTrue(names.get(0).startsWith("wave0-"), "oldest first: " + names);
        assertEquals(exporter.metrics().spansSpooled(), exporter.metrics().spoolSpansSent());
        await(() -> batchFiles(spool) == 0, "delivered batches leave the disk");
        assertEquals(0, exporter.metrics().spansDroppedTotal() + exporter.metrics().spoolSpansDroppedTotal());
        assertAccounted(exporter.metrics(), 40);
    }

    @Test
    void spansOfAProcessThatExitedDuringAnOutageArriveWithTheNextRun(@TempDir Path spool) throws Exception {
        int port = freePort();
        PlumeExporter first = start("http://127.0.0.1:" + port, withSpool(spool, Map.of()));
        record("before-exit", 7);
        long exitStart = System.nanoTime();
        first.shutdown();
        long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - exitStart);
        assertFalse(first.isRunning());
        assertTrue(exitMillis < 10_000, "a refused connection ends the wait well before the 20 s budget: "
            + exitMillis + " ms");
        assertEquals(7, first.metrics().spansSpooled(), first.metrics().toString());
        assertEquals(0, first.metrics().spansDroppedTotal());
        assertAccounted(first.metrics(), 7);

        // the next run, on the same directory, with the backend back
        tracing.close();
        tracing = TracingRing.install();
        OtlpTestServer server = serve(new OtlpTestServer(port));
        PlumeExporter next = start(server.endpoint(), withSpool(spool, Map.of()));
        await(() -> next.metrics().spoolSpansSent() == 7, "the earlier run's spans sent");
        assertEquals(7, next.metrics().spoolSpansFound());
        assertEquals(7, server.acceptedSpanNames().size());
        assertTrue(server.acceptedSpanNames().stream().allMatch(n -> n.startsWith("before-exit")));
        await(() -> batchFiles(spool) == 0, "sent batches leave the disk");
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("holds 1 batches (7 spans) from earlier"),
            log.toString());
    }

    @Test
    void twoProcessesSharingASpoolSendEachBatchOnce(@TempDir Path spool) throws Exception {
        int port = freePort();
        PlumeExporter writer = start("http://127.0.0.1:" + port, withSpool(spool, Map.of(
            "otel.bsp.max.export.batch.size", "2")));
        record("shared", 30);
        writer.shutdown();
        assertEquals(30, writer.metrics().spansSpooled(), writer.metrics().toString());
        assertTrue(batchFiles(spool) >= 15);

        tracing.close();
        tracing = TracingRing.install();
        OtlpTestServer server = serve(new OtlpTestServer(port));
        server.delay(20); // both readers are at work at once
        PlumeExporter a = start(server.endpoint(), withSpool(spool, Map.of()));
        PlumeExporter b = start(server.endpoint(), withSpool(spool, Map.of()));
        await(() -> a.metrics().spoolSpansSent() + b.metrics().spoolSpansSent() == 30, "all 30 sent between them");
        List<String> names = server.acceptedSpanNames();
        assertEquals(30, names.size(), names.toString());
        assertEquals(30, names.stream().distinct().count(), "no batch sent twice");
        assertTrue(a.metrics().spoolSpansSent() > 0 && b.metrics().spoolSpansSent() > 0,
            "both took part: " + a.metrics().spoolSpansSent() + " / " + b.metrics().spoolSpansSent());
    }

    @Test
    void tornSpoolFilesAreSkippedAndCountedNeverSentHalf(@TempDir Path spool) throws Exception {
        int port = freePort();
        PlumeExporter writer = start("http://127.0.0.1:" + port, withSpool(spool, Map.of(
            "otel.bsp.max.export.batch.size", "3")));
        record("whole", 6);
        writer.shutdown();
        List<Path> files = batchFilesList(spool);
        assertTrue(files.size() >= 2, files.toString());
        // a crash while writing: the last file loses its tail; a stray file of garbage sits beside them
        Path torn = files.get(files.size() - 1);
        byte[] bytes = Files.readAllBytes(torn);
        int tornSpans = java.nio.ByteBuffer.wrap(bytes).getInt(8);
        Files.write(torn, java.util.Arrays.copyOf(bytes, bytes.length - 7));
        Files.write(spool.resolve("0000000000001-000000-beef.batch"), new byte[] {1, 2, 3});

        tracing.close();
        tracing = TracingRing.install();
        OtlpTestServer server = serve(new OtlpTestServer(port));
        PlumeExporter next = start(server.endpoint(), withSpool(spool, Map.of()));
        await(() -> next.metrics().spoolSpansSent() == 6 - tornSpans, "the whole batches sent, torn " + tornSpans);
        await(() -> next.metrics().spoolSpansDropped(DropReason.SPOOL_TORN) == tornSpans, "the torn batch counted");
        assertEquals(6 - tornSpans, server.acceptedSpanNames().size());
        for (OtlpTestServer.Received request : server.received()) {
            request.request(); // every request parses: nothing half-sent
        }
        await(() -> batchFiles(spool) == 0, "torn files removed");
    }

    @Test
    void withASpoolRetriesUsedUpKeepTheBatchOnDiskUntilTheBackendRecovers(@TempDir Path spool) throws Exception {
        OtlpTestServer server = serve(new OtlpTestServer());
        server.respondWith(503, new byte[0], "text/plain");
        PlumeExporter exporter = start(server.endpoint(), withSpool(spool, Map.of(
            "plume.exporter.retry.max.attempts", "2")));
        record("stubborn", 4);
        await(() -> exporter.metrics().spansSpooled() == 4, "retries used up: kept on disk, not dropped");
        assertEquals(0, exporter.metrics().spansDroppedTotal());
        server.respondWith(200, new byte[0], "application/x-protobuf");
        await(() -> exporter.metrics().spoolSpansSent() == 4, "sent from the spool once the backend recovers");
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("kept in the spool"), log.toString());
    }

    @Test
    void exitWithABackendThatAcceptsAndNeverAnswersWaitsOnlyTheUnansweredBound(@TempDir Path spool) throws Exception {
        OtlpTestServer server = serve(new OtlpTestServer());
        server.delay(60_000);
        PlumeExporter exporter = start(server.endpoint(), withSpool(spool, Map.of(
            "plume.exporter.shutdown.unreachable.timeout", "1s")));
        record("unanswered", 5);
        await(() -> server.received().size() >= 1, "the request arrived and hangs");
        long exitStart = System.nanoTime();
        exporter.shutdown();
        long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - exitStart);

        assertTrue(exitMillis < 10_000, "exit does not wait the 20 s budget for a silent backend: " + exitMillis);
        assertEquals(5, exporter.metrics().spansSpooled(), exporter.metrics().toString());
        assertAccounted(exporter.metrics(), 5);
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("is not accepting spans"), log.toString());
    }

    @Test
    void aHealthyBackendGetsTheFullFlushAtExit() throws Exception {
        OtlpTestServer server = serve(new OtlpTestServer());
        server.delay(300); // slower than nothing, faster than the unanswered bound
        PlumeExporter exporter = start(server.endpoint(), Map.of("otel.bsp.max.export.batch.size", "2",
            "plume.exporter.max.in.flight", "1", "plume.exporter.shutdown.unreachable.timeout", "1s"));
        record("flushed", 12);
        exporter.shutdown();
        assertEquals(12, exporter.metrics().spansExported(), exporter.metrics().toString());
        assertEquals(12, server.acceptedSpanNames().size());
    }

    // ---- helpers

    private PlumeExporter start(String endpoint, Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>();
        properties.put("otel.exporter.otlp.endpoint", endpoint);
        properties.put("otel.bsp.export.timeout", "20s");
        properties.put("otel.bsp.schedule.delay", "20ms");
        properties.put("plume.exporter.retry.initial.backoff", "20ms");
        properties.put("plume.exporter.retry.max.backoff", "200ms");
        properties.putAll(extra);
        PlumeExporter exporter = PlumeExporter.start(PlumeConfig.of(properties, Map.of(), PlumeLog::warn),
            tracing.ring(), VERSION);
        exporters.add(exporter);
        return exporter;
    }

    private static Map<String, String> withSpool(Path dir, Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>(extra);
        properties.put("plume.exporter.spool.dir", dir.toString());
        return properties;
    }

    private <T extends AutoCloseable> T serve(T server) {
        servers.add(server);
        return server;
    }

    private static long batchFiles(Path spool) {
        return batchFilesList(spool).size();
    }

    private static List<Path> batchFilesList(Path spool) {
        try (Stream<Path> files = Files.list(spool)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".batch")).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static void assertAccounted(ExporterMetrics metrics, long recorded) {
        GrpcSenderTest.assertAccounted(metrics, recorded);
    }
}
