package dev.plume.bootstrap.context;

import dev.plume.bootstrap.record.RecordingFixture;
import dev.plume.bootstrap.trace.SpanContext;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TaskContextsTest {
    @AfterEach
    void uninstall() {
        Tracer.uninstall();
    }

    /** A task class with the agent's field, as FutureTask gets it at load. */
    static final class CarrierTask implements Runnable, ContextCarrier {
        private Object context;
        final AtomicReference<SpanContext> seen = new AtomicReference<>();

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
            seen.set(Tracer.captureContext());
        }
    }

    @Test
    void aTaskRunsInTheContextItWasCapturedIn() throws Exception {
        RecordingFixture.standard();
        SpanSlot request = Tracer.startSpan(0, SpanKind.SERVER, "request", null);
        long requestId = request.spanId();
        AtomicReference<SpanContext> seen = new AtomicReference<>();
        Runnable lambda = () -> seen.set(Tracer.captureContext());
        CarrierTask carrier = new CarrierTask();
        TaskContexts.capture(lambda);
        TaskContexts.capture(carrier);
        request.end();

        Thread worker = new Thread(() -> {
            TaskContexts.run(lambda);
            TaskContexts.run(carrier);
            assertNull(Tracer.captureContext(), "detached after each task");
        });
        worker.start();
        worker.join();
        assertEquals(requestId, seen.get().spanId());
        assertEquals(requestId, carrier.seen.get().spanId());
        assertSame(seen.get(), carrier.seen.get(), "one snapshot per span, however many hand-offs");
    }

    @Test
    void theFirstCaptureWinsSoATaskMadeInOneContextKeepsItWhenSubmittedFromAnother() {
        RecordingFixture.standard();
        CarrierTask task = new CarrierTask();
        SpanSlot maker = Tracer.startSpan(0, SpanKind.INTERNAL, "maker", null);
        long makerId = maker.spanId(); // the pooled slot serves the next span once this one ends
        TaskContexts.capture(task);
        maker.end();
        SpanSlot submitter = Tracer.startSpan(0, SpanKind.INTERNAL, "submitter", null);
        TaskContexts.capture(task);
        submitter.end();
        assertEquals(makerId, ((SpanContext) task.plume$getContext()).spanId());
    }

    @Test
    void aTaskRunWhereItsContextIsAlreadyCurrentAttachesNothing() {
        RecordingFixture.standard();
        SpanSlot span = Tracer.startSpan(0, SpanKind.INTERNAL, "span", null);
        CarrierTask task = new CarrierTask();
        TaskContexts.capture(task);
        SpanContext context = span.context();
        span.end();
        Tracer.attach(context);
        assertFalse(TaskContexts.enter(task), "caller-runs: the context is current already");
        Tracer.detach();
        assertTrue(TaskContexts.enter(task));
        TaskContexts.exit(true);
        assertNull(Tracer.captureContext());
    }

    @Test
    void withoutAContextNothingIsCapturedOrKept() {
        RecordingFixture.standard();
        int before = TaskContexts.pendingWithoutField();
        Runnable task = () -> { };
        TaskContexts.capture(task);
        assertEquals(before, TaskContexts.pendingWithoutField());
        assertFalse(TaskContexts.enter(task));
    }

    @Test
    void aRejectedTaskForgetsItsContext() {
        RecordingFixture.standard();
        SpanSlot span = Tracer.startSpan(0, SpanKind.INTERNAL, "span", null);
        int before = TaskContexts.pendingWithoutField();
        Runnable task = () -> { };
        TaskContexts.capture(task);
        assertEquals(before + 1, TaskContexts.pendingWithoutField());
        TaskContexts.forget(task);
        assertEquals(before, TaskContexts.pendingWithoutField());
        span.end();
    }

    @Test
    void aTaskThatNeverRunsIsCollectedAndPinsNothing() throws Exception {
        RecordingFixture.standard();
        SpanSlot span = Tracer.startSpan(0, SpanKind.INTERNAL, "span", null);
        int before = TaskContexts.pendingWithoutField();
        WeakReference<Runnable> abandoned = captureAndDrop();
        span.end();
        assertEquals(before + 1, TaskContexts.pendingWithoutField());
        long deadline = System.nanoTime() + 10_000_000_000L; // a guard, not a speed assertion
        while ((abandoned.get() != null || TaskContexts.pendingWithoutField() > before)
            && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(abandoned.get(), "the map does not keep the task alive");
        assertEquals(before, TaskContexts.pendingWithoutField(), "its entry went with it");
    }

    private static WeakReference<Runnable> captureAndDrop() {
        Runnable task = new Runnable() {
            @Override
            public void run() {
            }
        };
        TaskContexts.capture(task);
        assertNotNull(task);
        return new WeakReference<>(task);
    }
}
