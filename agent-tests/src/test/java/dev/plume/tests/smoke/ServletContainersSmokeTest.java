package dev.plume.tests.smoke;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The same plain jakarta.servlet application on the other containers Plume supports, embedded: Tomcat 11 (Servlet
 * 6.1), Jetty 11 (Servlet 5.0) and Undertow 2.3 (Servlet 6.0), on every installed JDK. Nothing container-specific is
 * instrumented: these pass because each container's filter chain and servlets implement the API.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ServletContainersSmokeTest {
    /** Apps whose container maps a default servlet at {@code /}, so an unmapped path reaches a servlet. */
    private static final Map<String, Boolean> DEFAULT_SERVLET = Map.of("servlet-tomcat11-app", false,
        "servlet-jetty11-app", true, "servlet-undertow-app", true);

    static List<Arguments> appsAndJdks() {
        List<Arguments> cases = new ArrayList<>();
        for (String app : List.of("servlet-tomcat11-app", "servlet-jetty11-app", "servlet-undertow-app")) {
            for (Jdk jdk : InstalledJdks.all()) {
                cases.add(Arguments.of(app, jdk));
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "[{index}] {0} on {1}")
    @MethodSource("appsAndJdks")
    void eachRequestIsOneServerSpanAndHandOffsJoinItsTrace(String app, Jdk jdk) {
        try (WebAppScenario scenario = WebAppScenario.traced(app, jdk)) {
            scenario.process().explainFailures(() -> {
                scenario.assertRouted("/hello", "/hello");
                scenario.assertRouted("/owners/7/pets/3", "/owners/*");
                scenario.assertContextExtracted();
                scenario.assertDownstreamJoinsTheTrace("/executor", 1);
                scenario.assertDownstreamJoinsTheTrace("/invoke-all", 2);
                scenario.assertDownstreamJoinsTheTrace("/future", 3);
                scenario.assertDownstreamJoinsTheTrace("/async", 1);
                scenario.assertDownstreamJoinsTheTrace("/async-early", 1); // completed before doGet returns
                if (jdk.feature() >= 21) {
                    scenario.assertDownstreamJoinsTheTrace("/virtual", 1);
                }
                scenario.assertEscapedException("/throws");
                scenario.assertHandledException(false);
                scenario.assertAsyncRequestEnds();
                if (DEFAULT_SERVLET.get(app)) {
                    scenario.assertUnmatchedPath();
                }
                scenario.assertIgnoredPathsAreUntraced();
                scenario.process().terminate(WebAppScenario.STARTUP);
                assertEquals(List.of(), scenario.process().exceptionLines().stream()
                    .filter(line -> line.startsWith("plume")).toList(), "the agent reported no failure");
            });
        }
    }
}
