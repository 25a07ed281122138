package dev.plume.instrumentation.matching;

import dev.plume.instrumentation.matching.fixtures.Leaf;
import dev.plume.instrumentation.matching.fixtures.Middle;
import dev.plume.instrumentation.matching.fixtures.Watched;
import org.h2.jdbc.JdbcStatement;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassFileSummaryTest {
    static byte[] bytes(Class<?> type) throws IOException {
        try (InputStream in = type.getClassLoader().getResourceAsStream(type.getName().replace('.', '/') + ".class")) {
            return in.readAllBytes();
        }
    }

    @Test
    void namesSuperclassAndInterfacesAreReadInPlace() throws Exception {
        ClassFileSummary middle = ClassFileSummary.of(bytes(Middle.class));
        assertEquals("dev/plume/instrumentation/matching/fixtures/Middle", middle.name());
        assertEquals("dev/plume/instrumentation/matching/fixtures/Base", middle.superName());
        assertArrayEquals(new String[] {"java/lang/Runnable"}, middle.interfaces());
        assertFalse(middle.isInterface());
        ClassFileSummary watched = ClassFileSummary.of(bytes(Watched.class));
        assertTrue(watched.isInterface());
        assertEquals("java/lang/Object", watched.superName());
    }

    @Test
    void annotationDescriptorsAreFoundInTheConstantPool() throws Exception {
        ClassFileSummary leaf = ClassFileSummary.of(bytes(Leaf.class));
        assertTrue(leaf.contains("Ljava/lang/Deprecated;"));
        assertFalse(leaf.contains("Lio/opentelemetry/instrumentation/annotations/WithSpan;"));
        assertFalse(ClassFileSummary.of(bytes(Middle.class)).contains("Ljava/lang/Deprecated;"));
    }

    @Test
    void aNamePrefixIsFoundInTheConstantPool() throws Exception {
        ClassFileSummary middle = ClassFileSummary.of(bytes(Middle.class));
        assertTrue(middle.containsPrefix("java/lang/"));
        assertTrue(middle.containsPrefix("dev/plume/instrumentation/matching/fixtures/Ba"));
        assertFalse(middle.containsPrefix("java/sql/"));
        // what a JDBC driver's statement class mentions (the interface, SQLException in throws clauses)
        assertTrue(ClassFileSummary.of(bytes(JdbcStatement.class)).containsPrefix("java/sql/"));
        assertFalse(ClassFileSummary.MALFORMED.containsPrefix("java/"));
    }

    @Test
    void malformedOrTruncatedBytesSummarizeToNothing() throws Exception {
        assertSame(ClassFileSummary.MALFORMED, ClassFileSummary.of(null));
        assertSame(ClassFileSummary.MALFORMED, ClassFileSummary.of(new byte[] {1, 2, 3}));
        byte[] whole = bytes(Leaf.class);
        for (int cut = 4; cut < whole.length; cut += 7) {
            ClassFileSummary summary = ClassFileSummary.of(Arrays.copyOf(whole, cut));
            if (summary != ClassFileSummary.MALFORMED) {
                // what survives a cut is the header only: still never a wrong answer about another class
                assertEquals("dev/plume/instrumentation/matching/fixtures/Leaf", summary.name());
            }
        }
        assertNull(ClassFileSummary.MALFORMED.name());
        assertFalse(ClassFileSummary.MALFORMED.contains("x"));
    }
}
