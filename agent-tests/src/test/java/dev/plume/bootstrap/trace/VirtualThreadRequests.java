package dev.plume.bootstrap.trace;

import dev.plume.bootstrap.record.SpanRecordReader;
import dev.plume.bootstrap.record.SpanRing;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Requests served each on a new virtual thread (JDK 21+), as a virtual-thread-per-request server serves them: a
 * SERVER span under a remote parent and a CLIENT span inside it, within the server library's instrumented call. Run in
 * its own JVM by {@code VirtualThreadStatesTest}; prints what the test checks as {@code KEY value} lines: the thread
 * states made while serving, the spans read back whole and well parented, and the bytes the carrier threads allocated
 * per request with the tracer installed and without.
 */
public final class VirtualThreadRequests {
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private static final int CONCURRENCY = 8;

    public static void main(String[] args) throws Exception {
        int requests = Integer.parseInt(args[0]);
        ExecutorService executor = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor")
            .invoke(null);
        SpanRing ring = new SpanRing(SpanRing.DEFAULT_CAPACITY);
        long[] read = new long[2]; // spans read, of which well parented
        SpanRecordReader reader = new SpanRecordReader();
        Runnable drain = () -> ring.read((type, buffer, index, length) -> {
            reader.wrap(buffer, index, length);
            read[0]++;
            boolean server = reader.kind() == SpanKind.SERVER;
            if (reader.traceIdHigh() == 0x4bf92f3577b34da6L && (!server || reader.parentSpanId() == 0x00f067aa0ba902b7L)) {
                read[1]++;
            }
        });

        // untraced: what the requests allocate with no tracer (the starts return null at once)
        serve(executor, requests, drain);
        long untraced = serve(executor, requests, drain);

        Tracer.install(ring, HeadSampler.alwaysOn(), SpanLimits.defaults());
        serve(executor, requests, drain); // warm: states, slots and stages made for the first threads
        drain.run();
        read[0] = 0;
        read[1] = 0;
        long statesBefore = ThreadState.statesCreated();
        long traced = serve(executor, requests, drain);
        long states = ThreadState.statesCreated() - statesBefore;
        Thread.sleep(50); // the virtual threads end, so the ring frees their stages at the next read
        drain.run();
        drain.run();
        executor.shutdown();

        System.out.println("REQUESTS " + requests);
        System.out.println("STATES_CREATED " + states);
        System.out.println("SPANS_READ " + read[0]);
        System.out.println("SPANS_WELL_PARENTED " + read[1]);
        System.out.println("UNTRACED_BYTES_PER_REQUEST " + untraced / requests);
        System.out.println("TRACED_BYTES_PER_REQUEST " + traced / requests);
        System.out.println("DROPPED " + (ring.droppedRingFull() + ring.droppedEncodingFailed()));
    }

    /** Serves the requests, CONCURRENCY at a time; returns the bytes every platform thread allocated meanwhile. */
    private static long serve(ExecutorService executor, int requests, Runnable drain) throws Exception {
        long before = allocatedByAllThreads();
        List<Future<?>> batch = new ArrayList<>(CONCURRENCY);
        for (int i = 0; i < requests; i += CONCURRENCY) {
            for (int j = 0; j < CONCURRENCY; j++) {
                batch.add(executor.submit(VirtualThreadRequests::request));
            }
            for (Future<?> future : batch) {
                future.get();
            }
            batch.clear();
            if (i % 1024 == 0) {
                drain.run();
            }
        }
        return allocatedByAllThreads() - before;
    }

    private static void request() {
        int scope = InstrumentationScope.JDK_HTTP_SERVER;
        int depth = Tracer.enterCall(scope);
        try {
            if (depth == 0) {
                SpanSlot server = Tracer.startSpanFromRemote(scope, SpanKind.SERVER, "GET", "/users/{id}", TRACEPARENT,
                    null);
                SpanSlot client = Tracer.startSpan(InstrumentationScope.JDK_HTTP_CLIENT, SpanKind.CLIENT, "GET", null);
                if (client != null) {
                    client.end();
                }
                if (server != null) {
                    server.end();
                }
            }
        } finally {
            Tracer.exitCall(scope);
        }
    }

    /** Virtual threads allocate on their carriers, which are platform threads: all of them together. */
    private static long allocatedByAllThreads() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long total = 0;
        for (long allocated : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            total += Math.max(0, allocated);
        }
        return total;
    }
}
