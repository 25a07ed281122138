package dev.plume.bootstrap.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's configuration table is the declarations in {@link ConfigKeys}, rendered: the two cannot drift. */
class ConfigTableTest {
    static final String START = "<!-- configuration table: rendered from ConfigKeys, checked by ConfigTableTest -->";
    static final String END = "<!-- end of configuration table -->";

    static String render() {
        StringBuilder table = new StringBuilder("| key | default | meaning |\n|---|---|---|\n");
        for (ConfigKey key : ConfigKeys.ALL) {
            table.append("| `").append(key.name()).append("` | ").append(key.shownDefault()).append(" | ")
                .append(key.doc()).append(" |\n");
        }
        return table.toString();
    }

    @Test
    void theReadmeTableIsTheDeclarations() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf(START);
        int end = readme.indexOf(END);
        assertTrue(start >= 0 && end > start, "README.md has no configuration table markers");
        String table = readme.substring(start + START.length(), end).strip() + "\n";
        assertEquals(render(), table, "README.md's configuration table differs from ConfigKeys; it should read:\n"
            + render());
    }

    @Test
    void everyKeyIsDeclaredOnceWithADoc() {
        Set<String> names = new HashSet<>();
        for (ConfigKey key : ConfigKeys.ALL) {
            assertTrue(names.add(key.name()), "declared twice: " + key);
            assertTrue(!key.doc().isBlank() && !key.doc().contains("|") && !key.doc().contains("\n"), key.name());
            assertTrue(key.name().startsWith("otel.") || key.name().startsWith("plume."), key.name());
        }
    }
}
