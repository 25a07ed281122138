package dev.plume.bootstrap.trace;

import dev.plume.bootstrap.PlumeLog;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scopes registered at run time (the OpenTelemetry API's tracers): ids after the built-in ones, stable, bounded. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InstrumentationScopeTest {

    @Test
    @Order(1)
    void aNameAndVersionGetOneIdAfterTheBuiltInScopes() {
        int id = InstrumentationScope.register("com.example.orders", "1.4.0");
        assertTrue(id >= InstrumentationScope.count(), "registered ids follow the built-in ones: " + id);
        assertEquals(id, InstrumentationScope.register("com.example.orders", "1.4.0"));
        assertEquals("com.example.orders", InstrumentationScope.name(id));
        assertEquals("1.4.0", InstrumentationScope.version(id));
        assertTrue(InstrumentationScope.isKnown(id));

        int otherVersion = InstrumentationScope.register("com.example.orders", "2.0.0");
        int noVersion = InstrumentationScope.register("com.example.orders", null);
        assertNotEquals(id, otherVersion);
        assertNotEquals(id, noVersion);
        assertNotEquals(otherVersion, noVersion);
        assertEquals(noVersion, InstrumentationScope.register("com.example.orders", null));
        assertNull(InstrumentationScope.version(noVersion));

        assertEquals(InstrumentationScope.OPENTELEMETRY_API, InstrumentationScope.register(null, "1"));
        assertEquals(InstrumentationScope.OPENTELEMETRY_API, InstrumentationScope.register("", null));
        assertEquals("dev.plume.jdbc", InstrumentationScope.name(InstrumentationScope.JDBC));
        assertNull(InstrumentationScope.version(InstrumentationScope.JDBC), "built-in scopes carry the agent's version");
        assertFalse(InstrumentationScope.isKnown(-1));
        assertEquals("dev.plume.unknown", InstrumentationScope.name(10_000));
    }

    @Test
    @Order(2)
    void threadsRegisteringAtOnceAgreeOnTheIds() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<int[]>> tasks = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                tasks.add(() -> {
                    int[] ids = new int[20];
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = InstrumentationScope.register("concurrent." + i, "v");
                    }
                    return ids;
                });
            }
            List<int[]> results = new ArrayList<>();
            for (Future<int[]> future : pool.invokeAll(tasks)) {
                results.add(future.get());
            }
            Set<Integer> distinct = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                for (int[] ids : results) {
                    assertEquals(results.get(0)[i], ids[i]);
                }
                distinct.add(results.get(0)[i]);
                assertEquals("concurrent." + i, InstrumentationScope.name(results.get(0)[i]));
            }
            assertEquals(20, distinct.size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Order(3) // last: it fills the registry for the rest of this JVM
    void beyondTheBoundScopesShareTheOpenTelemetryApiScopeWithOneWarning() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PlumeLog.redirect(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            int last = -1;
            for (int i = 0; i < InstrumentationScope.MAX_REGISTERED; i++) {
                int id = InstrumentationScope.register("bulk." + i, null);
                if (id != InstrumentationScope.OPENTELEMETRY_API) {
                    last = id;
                }
            }
            assertEquals(InstrumentationScope.count() + InstrumentationScope.MAX_REGISTERED - 1, last);
            assertEquals(InstrumentationScope.OPENTELEMETRY_API, InstrumentationScope.register("one.more", "1"));
            assertEquals(InstrumentationScope.OPENTELEMETRY_API, InstrumentationScope.register("and.another", "1"));
            assertEquals("dev.plume.opentelemetry-api", InstrumentationScope.name(InstrumentationScope.OPENTELEMETRY_API));
            int existing = InstrumentationScope.register("com.example.orders", "1.4.0");
            assertNotEquals(InstrumentationScope.OPENTELEMETRY_API, existing, "registered scopes keep their ids");
            List<String> lines = log.toString(StandardCharsets.UTF_8).lines().toList();
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("plume WARN more than 256 instrumentation scopes"), lines.get(0));
        } finally {
            PlumeLog.redirect(System.err);
        }
    }
}
