package dev.plume.bootstrap.http;

import dev.plume.bootstrap.record.RecordingFixture;
import dev.plume.bootstrap.trace.InstrumentationScope;
import dev.plume.bootstrap.trace.SpanKind;
import dev.plume.bootstrap.trace.SpanSlot;
import dev.plume.bootstrap.trace.Tracer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * How an HTTP client call finds that it is part of another library's (one span for both, the outer's): the outer's
 * span open on the thread, or handed off by an exchange whose connector sends later on this thread.
 */
class EnclosingClientTest {
    private static final URI DOWNSTREAM = URI.create("http://127.0.0.1:8080/downstream");
    private final RecordingFixture recording = RecordingFixture.standard();

    @AfterEach
    void uninstall() {
        Tracer.uninstall();
    }

    @Test
    void aClientSpanOpenOnTheThreadEnclosesTheNextLibrarysCallThroughMethodSpansButNotThroughADatabaseSpan() {
        assertNull(HttpSpans.enclosingClient(), "nothing open");
        Tracer.enterCall(InstrumentationScope.OKHTTP);
        SpanSlot outer = HttpSpans.startClient(InstrumentationScope.OKHTTP, "GET", DOWNSTREAM, false);
        assertSame(outer, HttpSpans.enclosingClient());
        assertSame(outer, HttpSpans.sentContext(HttpSpans.enclosingClient(), null), "the inner call sends its context");
        SpanSlot method = Tracer.startSpan(InstrumentationScope.ANNOTATIONS, SpanKind.INTERNAL, "Interceptor.run",
            null);
        assertSame(outer, HttpSpans.enclosingClient(), "a method span in an interceptor does not hide the call");
        SpanSlot query = Tracer.startSpan(InstrumentationScope.JDBC, SpanKind.CLIENT, "SELECT", null);
        assertNull(HttpSpans.enclosingClient(), "an HTTP call made by a JDBC driver is its own");
        query.end();
        method.end();
        outer.end();
        Tracer.exitCall(InstrumentationScope.OKHTTP);
        assertNull(HttpSpans.enclosingClient(), "ended");
        assertEquals(3, recording.drain().size());
    }

    @Test
    void aHandOffIsTakenOnceOnlyWhenKeptAndOnlyWhileItsSpanIsOpen() {
        SpanSlot exchange = HttpSpans.startClient(InstrumentationScope.SPRING_WEBFLUX, "GET", DOWNSTREAM, true);
        Tracer.handOff(exchange);
        Tracer.withdrawHandOff(); // a connector that sends through a client Plume does not trace
        assertNull(HttpSpans.enclosingClient(), "withdrawn with the exchange");

        Tracer.handOff(exchange);
        Tracer.keepHandOff(); // the JDK's or HttpComponents' connector
        Tracer.withdrawHandOff();
        SpanSlot taken = HttpSpans.enclosingClient();
        assertSame(Tracer.HANDED_OFF, taken, "the client below takes it");
        assertNull(HttpSpans.sentContext(taken, null), "its request carries the exchange's headers already");
        assertNull(HttpSpans.enclosingClient(), "once: a later call on this thread is its own");

        Tracer.handOff(exchange);
        Tracer.keepHandOff();
        exchange.end();
        // the ended slot goes back to the shared pool and may carry another span: the offer is void
        SpanSlot reused = HttpSpans.startClient(InstrumentationScope.SPRING_WEBFLUX, "GET", DOWNSTREAM, true);
        assertNull(HttpSpans.enclosingClient(), "the span offered has ended");
        reused.end();
        assertEquals(2, recording.drain().size());
    }

    @Test
    void findingTheEnclosingCallAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        SpanSlot exchange = HttpSpans.startClient(InstrumentationScope.SPRING_WEBFLUX, "GET", DOWNSTREAM, true);
        Tracer.enterCall(InstrumentationScope.OKHTTP);
        SpanSlot outer = HttpSpans.startClient(InstrumentationScope.OKHTTP, "GET", DOWNSTREAM, false);
        int found = lookUps(exchange, 500_000); // warm up: JIT, thread-local state
        long before = threads.getCurrentThreadAllocatedBytes();
        found += lookUps(exchange, 100_000);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        outer.end();
        Tracer.exitCall(InstrumentationScope.OKHTTP);
        exchange.end();
        assertEquals(1_200_000, found);
        assertEquals(0, allocated, "bytes allocated by 100k look-ups and hand-offs");
    }

    private static int lookUps(SpanSlot exchange, int count) {
        int found = 0;
        for (int i = 0; i < count; i++) {
            found += HttpSpans.enclosingClient() != null ? 1 : 0;
            Tracer.handOff(exchange);
            Tracer.keepHandOff();
            found += HttpSpans.enclosingClient() == Tracer.HANDED_OFF ? 1 : 0;
        }
        return found;
    }
}
