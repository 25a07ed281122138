package dev.plume.tests.smoke;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A Spring Boot 4 service on embedded Jetty 12.1 (Spring MVC 7, jakarta.servlet 6.1), under the agent on every installed
 * JDK: one app per JDK, every check against it.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SpringBoot4JettySmokeTest {
    static final String APP = "spring-boot4-jetty-app";

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
