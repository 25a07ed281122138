package dev.plume.tests.smoke;

import dev.plume.tests.otlp.OtlpHttpReceiver;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The smallest app runs, prints and exits normally under the agent, which is what start-up is measured on. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class HelloAppSmokeTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("dev.plume.tests.smoke.InstalledJdks#all")
    void runsAndExitsUnderTheAgent(Jdk jdk) {
        try (OtlpHttpReceiver receiver = OtlpHttpReceiver.start();
             AgentProcess app = AgentProcess.launch(jdk, SmokeArtifacts.helloAppJar())
                     .systemProperty("otel.exporter.otlp.endpoint", receiver.endpoint())
                     .systemProperty("otel.service.name", "smoke-hello-app")
                     .start()) {
            app.explainFailures(() -> {
                assertEquals(0, app.awaitExit(Duration.ofSeconds(60)), "exit code");
                assertEquals(List.of("hello, world"), app.stdoutLines());
                // A healthy start prints nothing at all: no agent chatter, no JVM warnings (e.g. sun.misc.Unsafe
                // deprecation on JDK 24+), so operators' logs stay clean.
                assertEquals(List.of(), app.stderrLines(), "stderr of a healthy start");
            });
        }
    }

    /**
     * A program that uses no instrumented library pays for no instrumentation machinery: the rewriter and the ASM it
     * uses (ByteBuddy's) are never loaded (matching rejects every class before them), and neither is the HTTP client
     * (nothing was recorded to send).
     */
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("dev.plume.tests.smoke.InstalledJdks#all")
    void loadsNeitherTheRewriterNorTheHttpClient(Jdk jdk, @TempDir Path dir) throws Exception {
        Path classes = dir.resolve("classes.log");
        try (AgentProcess app = AgentProcess.launch(jdk, SmokeArtifacts.helloAppJar())
                     .jvmOption("-Xlog:class+load:file=" + classes)
                     .start()) {
            app.explainFailures(() -> {
                assertEquals(0, app.awaitExit(Duration.ofSeconds(60)), "exit code");
                List<String> loaded = Files.readAllLines(classes);
                assertTrue(loaded.stream().anyMatch(line -> line.contains("dev.plume.bootstrap.trace.Tracer")),
                    "the agent ran: its runtime is in the class log");
                assertEquals(List.of(), loaded.stream().filter(line -> line.contains("dev.plume.shaded.bytebuddy")
                    || line.contains("dev.plume.instrumentation.weave") || line.contains("ClassRewriter")
                    || line.contains("dev.plume.shaded.okhttp3")).toList());
            });
        }
    }
}
