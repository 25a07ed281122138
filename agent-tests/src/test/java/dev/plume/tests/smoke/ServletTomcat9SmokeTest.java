package dev.plume.tests.smoke;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A plain javax.servlet application (no framework) on embedded Tomcat 9, under the agent: routes are the servlet
 * mappings, {@code startAsync} requests end when they complete, executors and futures join the request's trace.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ServletTomcat9SmokeTest {
    static final String APP = "servlet-tomcat9-app";

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("dev.plume.tests.smoke.InstalledJdks#all")
    void everyRequestIsOneServerSpanNamedByItsMappingAndHandOffsJoinItsTrace(Jdk jdk) {
        try (WebAppScenario app = WebAppScenario.traced(APP, jdk)) {
            app.process().explainFailures(() -> {
                app.assertRouted("/hello", "/hello");
                app.assertRouted("/owners/7/pets/3", "/owners/*");
                app.assertContextExtracted();
                app.assertDownstreamJoinsTheTrace("/executor", 1);
                app.assertDownstreamJoinsTheTrace("/scheduled", 1);
                app.assertDownstreamJoinsTheTrace("/invoke-all", 2);
                app.assertDownstreamJoinsTheTrace("/fork-join", 1);
                app.assertDownstreamJoinsTheTrace("/future", 3);
                app.assertDownstreamJoinsTheTrace("/async", 1); // startAsync, completed on the executor's thread
                app.assertDownstreamJoinsTheTrace("/async-early", 1); // the same, completed before doGet returns
                app.assertEscapedException("/throws");
                app.assertHandledException(false); // the servlet catches it: nothing escaped, nothing to record
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
