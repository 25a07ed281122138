package dev.plume.instrumentation.matching;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IgnoredTypesTest {
    @Test
    void theJdkTheAgentAndGeneratedClassesAreIgnoredForSubtypeMatching() {
        IgnoredTypes ignored = IgnoredTypes.excluding(List.of());
        assertTrue(ignored.isIgnored("java/util/ArrayList"));
        assertTrue(ignored.isIgnored("dev/plume/bootstrap/trace/Tracer"));
        assertTrue(ignored.isIgnored("dev/plume/shaded/okhttp3/Call"));
        assertFalse(ignored.isIgnored("dev/plume/smoke/servlet25/Servlet25App$CountingChain"), "an app in dev.plume");
        assertTrue(ignored.isIgnored("com/example/Owner$$SpringCGLIB$$0"));
        assertTrue(ignored.isIgnored("com/example/Owner$$Lambda$12"));
        assertFalse(ignored.isIgnored("org/apache/catalina/core/ApplicationFilterChain"));
        assertFalse(ignored.isIgnored("javax/servlet/http/HttpServlet"), "javax is not all JDK");
    }

    @Test
    void excludeClassesTakesNamesAndPrefixes() {
        IgnoredTypes ignored = IgnoredTypes.excluding(List.of("com.example.legacy.*", "com.example.Billing", " "));
        assertTrue(ignored.isExcluded("com/example/legacy/Old"));
        assertTrue(ignored.isExcluded("com/example/Billing"));
        assertTrue(ignored.isExcluded("com/example/Billing$Inner"));
        assertFalse(ignored.isExcluded("com/example/BillingService"));
        assertFalse(ignored.isExcluded("com/example/Other"));
        assertTrue(ignored.isIgnored("com/example/legacy/Old"));
    }
}
