package dev.plume.tests.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A library version the advice does not fit (the Servlet 2.5 API, older than any the servlet advice supports): the
 * agent switches that instrumentation off for the class loader in one line, and the application runs as without it,
 * instead of failing with NoSuchMethodError (suppressed, but on every call) inside its requests.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class MismatchedLibrarySmokeTest {
    @Test
    void aMisfitLibraryIsSwitchedOffInOneLineAndTheApplicationRuns() {
        Jdk jdk = InstalledJdks.all().get(0);
        try (AgentProcess app = AgentProcess.launch(jdk, SmokeArtifacts.webAppJar("servlet25-app"))
            .systemProperty("otel.traces.exporter", "none").start()) {
            app.explainFailures(() -> {
                assertEquals(0, app.awaitExit(Duration.ofSeconds(60)));
                assertEquals(List.of("SERVED 3"), app.stdoutLines());
                List<String> lines = app.agentLogLines();
                assertEquals(1, lines.size(), "one line, not one per call: " + lines);
                String line = lines.get(0);
                assertTrue(line.startsWith("plume WARN the servlet instrumentation does not fit"), line);
                // it names what Servlet 2.5 lacks (AsyncListener, getDispatcherType: both came with 3.0)
                assertTrue(line.contains("(no class javax.servlet.") || line.contains("(no method javax.servlet."), line);
                assertEquals(List.of(), app.exceptionLines());
            });
        }
    }
}
