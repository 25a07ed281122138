package dev.plume.tests.smoke;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Spring Boot 3 service on embedded Tomcat 10.1 (Spring MVC 6, jakarta.servlet), under the agent on every installed
 * JDK: one app per JDK, every check against it.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SpringBoot3TomcatSmokeTest {
    static final String APP = "spring-boot3-tomcat-app";

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("dev.plume.tests.smoke.InstalledJdks#all")
    void everyRequestIsOneServerSpanNamedByItsRouteAndHandOffsJoinItsTrace(Jdk jdk) {
        try (WebAppScenario app = WebAppScenario.traced(APP, jdk)) {
            app.process().explainFailures(() -> {
                app.assertRouted("/hello", "/hello");
                app.assertRouted("/owners/7", "/owners/{ownerId}");
                app.assertRouted("/owners/7/pets/3", "/owners/{ownerId}/pets/{petId}");
                app.assertContextExtracted();
                app.assertDownstreamJoinsTheTrace("/executor", 1);
                app.assertDownstreamJoinsTheTrace("/scheduled", 1);
                app.assertDownstreamJoinsTheTrace("/invoke-all", 2);
                app.assertDownstreamJoinsTheTrace("/fork-join", 1);
                app.assertDownstreamJoinsTheTrace("/future", 3);
                app.assertDownstreamJoinsTheTrace("/async", 1);
                if (jdk.feature() >= 21) {
                    app.assertDownstreamJoinsTheTrace("/virtual", 1);
                }
                app.assertEscapedException("/throws");
                app.assertHandledException(true);
                app.assertUnmatchedPath();
                app.assertAsyncRequestEnds();
                app.assertIgnoredPathsAreUntraced();
                app.process().terminate(WebAppScenario.STARTUP);
                assertEquals(java.util.List.of(), app.process().exceptionLines().stream()
                    .filter(line -> line.startsWith("plume")).toList(), "the agent reported no failure");
            });
        }
    }

    /**
     * With Spring Boot's virtual threads (JDK 21+), Tomcat serves each request on a new virtual thread, and the agent
     * hands a finished request's tracing state to the next one: every request is still one SERVER span in its own
     * trace, hand-offs still join it.
     */
    @Test
    void onVirtualThreadsEveryRequestKeepsItsOwnTrace() {
        java.util.Optional<Jdk> jdk = InstalledJdks.all().stream().filter(j -> j.feature() >= 21).findFirst();
        if (jdk.isEmpty()) {
            System.out.println("[skipped] no JDK 21+ installed: Spring Boot's virtual threads cannot be tested here");
            org.junit.jupiter.api.Assumptions.abort("no JDK 21+ installed");
        }
        try (WebAppScenario app = WebAppScenario.traced(APP, jdk.get(), "spring.threads.virtual.enabled", "true",
            "otel.javaagent.add-thread-details", "true")) {
            app.process().explainFailures(() -> {
                String thread = String.valueOf(app.assertRouted("/hello", "/hello").attribute("thread.name"));
                // Tomcat's platform workers are http-nio-*-exec-N; with virtual threads on, Spring names them so
                assertTrue(thread.startsWith("tomcat-handler-"), "served on a virtual thread: " + thread);
                app.assertContextExtracted();
                app.assertConcurrentRequestsKeepTheirTraces(200, 8);
                app.assertDownstreamJoinsTheTrace("/executor", 1);
                app.assertDownstreamJoinsTheTrace("/async", 1);
                app.assertEscapedException("/throws");
                app.assertAsyncRequestEnds();
                app.process().terminate(WebAppScenario.STARTUP);
                assertEquals(java.util.List.of(), app.process().exceptionLines().stream()
                    .filter(line -> line.startsWith("plume")).toList(), "the agent reported no failure");
            });
        }
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("dev.plume.tests.smoke.InstalledJdks#all")
    void theApplicationAnswersAsItDoesWithoutTheAgent(Jdk jdk) throws Exception {
        java.util.Map<String, String> without;
        try (WebAppScenario app = WebAppScenario.untraced(APP, jdk)) {
            without = app.answers();
        }
        try (WebAppScenario app = WebAppScenario.traced(APP, jdk)) {
            assertEquals(without, app.answers());
        }
    }
}
