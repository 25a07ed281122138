package dev.plume.export.otlp;

import dev.plume.bootstrap.config.PlumeConfig;
import dev.plume.bootstrap.record.SpanRing;
import dev.plume.export.ExporterMetrics;
import dev.plume.export.OtlpTestServer;
import dev.plume.export.PlumeExporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.Map;

import static dev.plume.export.otlp.GrpcSenderTest.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Payload arrays kept between batches, and the send queue giving them back only once no call can write them. */
@Timeout(60) // a guard against hangs, not a speed assertion
class PayloadPoolTest {

    @Test
    void aKeptArrayIsReusedForAnyPayloadItFitsAndOnlyTheLengthCounts() {
        PayloadPool pool = new PayloadPool(2, 1 << 20);
        Payload first = pool.take(100_000);
        assertEquals(100_000, first.length());
        assertEquals(2 * PayloadPool.GRANULE, first.array().length, "sized up to the granule, to fit later batches");
        Arrays.fill(first.array(), (byte) 7);
        first.release();
        assertEquals(1, pool.kept());

        Payload smaller = pool.take(10);
        assertSame(first.array(), smaller.array(), "written over, not allocated and zeroed again");
        assertEquals(10, smaller.length());
        Payload larger = pool.take(200_000);
        assertNotSame(first.array(), larger.array(), "a kept array too short for the payload is not used");
        smaller.release();
        smaller.release(); // once more by mistake: still kept once
        assertEquals(1, pool.kept());
    }

    @Test
    void thePoolKeepsItsLargestArraysUpToItsBounds() {
        PayloadPool pool = new PayloadPool(2, 1 << 20);
        Payload a = pool.take(1_000);
        Payload b = pool.take(300_000);
        Payload c = pool.take(600_000);
        Payload huge = pool.take(5 << 20);
        assertEquals(5 << 20, huge.array().length, "past the largest kept size, exactly the length");
        huge.release();
        assertEquals(0, pool.kept(), "too large to keep");
        a.release();
        b.release();
        c.release(); // the pool is full: it takes the place of the smallest
        assertEquals(2, pool.kept());
        assertSame(c.array(), pool.take(500_000).array());
        assertSame(b.array(), pool.take(200_000).array());
        assertEquals(0, pool.kept());

        Payload none = PayloadPool.take(null, 33);
        assertEquals(33, none.array().length, "no pool: a new array of exactly the length");
        none.release();
        assertThrows(IllegalArgumentException.class, () -> new Payload(new byte[4], 5, null));
    }

    @Test
    void theSendQueueGivesAnArrayBackOnceItsCallIsOverAndTheWireCarriesOnlyThePayload() throws Exception {
        try (OtlpTestServer server = new OtlpTestServer()) {
            PlumeConfig config = PlumeConfig.of(Map.of("otel.exporter.otlp.endpoint", server.endpoint(),
                "otel.exporter.otlp.protocol", "http/protobuf"), Map.of(), message -> { });
            // the metrics of an exporter that exports nothing: the queue below counts into them
            PlumeExporter idle = PlumeExporter.start(PlumeConfig.of(Map.of("otel.traces.exporter", "none"), Map.of(),
                message -> { }), new SpanRing(SpanRing.MIN_CAPACITY), "test");
            ExporterMetrics metrics = idle.metrics();
            idle.shutdown();
            HttpProtobufSender sender = new HttpProtobufSender(OtlpExporterSettings.from(config), "test");
            SendQueue queue = new SendQueue(sender, metrics, OtlpExporterSettings.from(config), "test", null);
            PayloadPool pool = new PayloadPool(2, 1 << 20);
            try {
                byte[] large = new byte[50_000];
                Arrays.fill(large, (byte) 1);
                Payload first = sender.prepare(large, large.length, pool);
                assertTrue(queue.offer(first, 10));
                await(() -> pool.kept() == 1, "the delivered batch's array given back");
                assertArrayEquals(large, server.received().get(0).rawBody());

                byte[] small = {2, 2, 2};
                Payload second = sender.prepare(small, small.length, pool);
                assertSame(first.array(), second.array(), "the kept array, its first bytes written over");
                server.respondWith(400, new byte[0], "application/x-protobuf"); // refused: dropped, not retried
                assertTrue(queue.offer(second, 1));
                await(() -> pool.kept() == 1, "the dropped batch's array given back");
                assertArrayEquals(small, server.received().get(1).rawBody(),
                    "three bytes on the wire, not the 50,000 of the array");
            } finally {
                queue.close();
                sender.shutdown();
            }
        }
    }
}
