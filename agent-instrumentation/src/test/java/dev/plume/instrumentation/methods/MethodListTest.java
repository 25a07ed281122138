package dev.plume.instrumentation.methods;

import dev.plume.bootstrap.config.ConfigKeys;
import dev.plume.bootstrap.config.PlumeConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code Class[method1,method2];Other[*]} as the OpenTelemetry agent writes it; a bad entry: one line, left out. */
class MethodListTest {
    @Test
    void entriesWithSpacesTrailingCommasNestedClassesAndStars() {
        List<String> warnings = new ArrayList<>();
        MethodList list = read(" my.pkg.Orders[place, cancel ,] ; my.pkg.Outer$Inner[*];my.pkg.Orders[ship]; ;",
            warnings);
        assertEquals(List.of(), warnings);
        assertEquals(Set.of("my.pkg.Orders", "my.pkg.Outer$Inner"), list.classNames());
        assertEquals(Set.of("place", "cancel", "ship"), list.methodsOf("my.pkg.Orders"));
        assertTrue(list.contains("my.pkg.Outer$Inner", "anything"));
        assertTrue(list.contains("my.pkg.Orders", "ship"));
        assertFalse(list.contains("my.pkg.Orders", "refund"));
        assertFalse(list.contains("my.pkg.Other", "place"));
    }

    @Test
    void aBadEntryIsReportedWithTheKeyAndLeftOutAndTheOthersAreUsed() {
        List<String> warnings = new ArrayList<>();
        MethodList list = read("my.pkg.Good[run];bad entry[run];my.pkg.NoBrackets;my.pkg.Empty[];"
            + "my.pkg.BadMethod[run-fast];..[x];my.pkg.Also[go]", warnings);
        assertEquals(Set.of("my.pkg.Good", "my.pkg.Also"), list.classNames());
        assertEquals(5, warnings.size(), warnings::toString);
        assertTrue(warnings.get(0).contains("\"bad entry[run]\"") && warnings.get(0)
            .contains("otel.instrumentation.methods.include"), warnings.get(0));
        assertTrue(warnings.get(0).contains("package.Class[method1,method2] or package.Class[*]"), warnings.get(0));
        assertTrue(warnings.get(1).contains("my.pkg.NoBrackets"), warnings.get(1));
    }

    @Test
    void nothingSetIsAnEmptyList() {
        List<String> warnings = new ArrayList<>();
        assertTrue(read(null, warnings).isEmpty());
        assertEquals(List.of(), warnings);
    }

    private static MethodList read(String value, List<String> warnings) {
        PlumeConfig config = PlumeConfig.of(value == null ? Map.of()
            : Map.of("otel.instrumentation.methods.include", value), Map.of(), warnings::add);
        return MethodList.read(config, ConfigKeys.METHODS_INCLUDE);
    }
}
