package dev.plume.tests.trace;

import dev.plume.tests.smoke.InstalledJdks;
import dev.plume.tests.smoke.Jdk;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server that runs each request on a new virtual thread: the tracing state a virtual thread lets go of when its
 * request is done serves the next one, so requests make no state, span slots or attribute arrays of their own (with a
 * state per thread, each request allocated ~2.6 KB more). Runs {@code VirtualThreadRequests} on a JDK 21 or newer.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class VirtualThreadStatesTest {
    private static final int REQUESTS = 20_000;

    @Test
    void requestsOnNewVirtualThreadsReuseTheTracingStateOfThoseThatEnded() throws Exception {
        Optional<Jdk> jdk = InstalledJdks.all().stream().filter(j -> j.feature() >= 21).findFirst();
        if (jdk.isEmpty()) {
            System.out.println("[skipped] no JDK 21+ installed: virtual threads cannot be tested here");
            Assumptions.abort("no JDK 21+ installed");
        }
        Map<String, Long> result = run(jdk.get());

        long states = result.get("STATES_CREATED");
        assertTrue(states <= 64, states + " thread states made for " + REQUESTS + " requests on new virtual threads");
        assertEquals(2L * REQUESTS, result.get("SPANS_READ"), "every span read back");
        assertEquals(2L * REQUESTS, result.get("SPANS_WELL_PARENTED"), "each in its request's trace");
        assertEquals(0, result.get("DROPPED"));
        long added = result.get("TRACED_BYTES_PER_REQUEST") - result.get("UNTRACED_BYTES_PER_REQUEST");
        // Two spans a request, and nothing made for them (a state per thread added ~2.6 KB); the margin is the JDK's
        // own variation between the two runs of the same requests.
        assertTrue(added < 1_200, "a request on a new virtual thread allocated " + added + " B more with tracing: "
            + result);
    }

    private static Map<String, Long> run(Jdk jdk) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(jdk.home().resolve("bin").resolve("java").toString(),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx256m",
            "-cp", System.getProperty("java.class.path"), "dev.plume.bootstrap.trace.VirtualThreadRequests",
            String.valueOf(REQUESTS))
            .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "the requests finished");
        assertEquals(0, process.exitValue(), output);
        Map<String, Long> result = new HashMap<>();
        for (String line : output.lines().toList()) {
            List<String> parts = List.of(line.split(" "));
            if (parts.size() == 2 && parts.get(0).matches("[A-Z_]+") && parts.get(1).matches("-?\\d+")) {
                result.put(parts.get(0), Long.parseLong(parts.get(1)));
            }
        }
        assertTrue(result.keySet().containsAll(List.of("STATES_CREATED", "SPANS_READ", "TRACED_BYTES_PER_REQUEST")),
            output);
        return result;
    }
}
