package dev.plume.bootstrap.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlumeConfigTest {
    private final List<String> warnings = new ArrayList<>();

    private PlumeConfig config(Map<String, String> properties, Map<String, String> environment) {
        return PlumeConfig.of(properties, environment, warnings::add);
    }

    @Test
    void systemPropertiesWinOverEnvironmentWhichWinsOverTheFile(@org.junit.jupiter.api.io.TempDir Path dir)
        throws Exception {
        Path file = dir.resolve("plume.properties");
        Files.writeString(file, "otel.service.name=from-file\notel.bsp.max.export.batch.size=7\nplume.x=file\n");
        PlumeConfig config = config(Map.of("otel.service.name", "from-property",
                "otel.javaagent.configuration-file", file.toString()),
            Map.of("OTEL_SERVICE_NAME", "from-env", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "9"));
        assertEquals("from-property", config.getString("otel.service.name", null));
        assertEquals(9, config.getInt("otel.bsp.max.export.batch.size", 512, 1, 100_000));
        assertEquals("file", config.getString("plume.x", null));
        assertEquals(List.of(), warnings);
    }

    @Test
    void aBadValueIsOneLineNamingKeyValueAndWhatIsUsedInstead() {
        PlumeConfig config = config(Map.of("otel.bsp.schedule.delay", "soon"), Map.of());
        assertEquals(5000, config.getDurationMillis("otel.bsp.schedule.delay", 5000));
        assertEquals(1, warnings.size());
        String line = warnings.get(0);
        assertTrue(line.contains("otel.bsp.schedule.delay") && line.contains("\"soon\"") && line.contains("5000 ms"),
            line);
        assertTrue(!line.contains("\n"));
    }

    @Test
    void durationsReadAsTheSdkDoes() {
        assertEquals(5000, PlumeConfig.parseDurationMillis("5000"));
        assertEquals(250, PlumeConfig.parseDurationMillis("250ms"));
        assertEquals(3000, PlumeConfig.parseDurationMillis("3s"));
        assertEquals(120_000, PlumeConfig.parseDurationMillis("2m"));
        assertEquals(-1, PlumeConfig.parseDurationMillis("-5"));
        assertEquals(-1, PlumeConfig.parseDurationMillis("5 fortnights"));
    }

    @Test
    void outOfRangeNumbersAndUnknownChoicesFallBackWithAWarning() {
        PlumeConfig config = config(Map.of("otel.span.attribute.count.limit", "-3", "otel.traces.sampler", "sometimes",
            "plume.ring.buffer.size", "16m", "otel.javaagent.enabled", "maybe"), Map.of());
        assertEquals(128, config.getInt("otel.span.attribute.count.limit", 128, 0, 4096));
        assertEquals("parentbased_always_on", config.getChoice("otel.traces.sampler", "parentbased_always_on",
            Set.of("always_on", "parentbased_always_on")));
        assertEquals(16L << 20, config.getBytes("plume.ring.buffer.size", 8 << 20, 1 << 19, 1 << 30));
        assertEquals(true, config.getBoolean("otel.javaagent.enabled", true));
        assertEquals(3, warnings.size(), warnings.toString());
    }

    @Test
    void mapsArePercentDecodedAndSecretsStayOutOfWarnings() {
        PlumeConfig config = config(Map.of("otel.exporter.otlp.headers", "Authorization=Bearer%20s3cr3t,broken,x=a+b",
            "otel.resource.attributes", "service.name=checkout, team=pay%2Cments"), Map.of());
        assertEquals(Map.of("Authorization", "Bearer s3cr3t", "x", "a+b"),
            config.getMap("otel.exporter.otlp.headers", true));
        assertEquals(Map.of("service.name", "checkout", "team", "pay,ments"),
            config.getMap("otel.resource.attributes", false));
        assertEquals(1, warnings.size());
        assertTrue(!warnings.get(0).contains("broken") && !warnings.get(0).contains("s3cr3t"), warnings.get(0));
    }

    @Test
    void environmentNamesFollowTheConvention() {
        assertEquals("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            PlumeConfig.environmentName("otel.exporter.otlp.traces.endpoint"));
        assertEquals("OTEL_JAVAAGENT_CONFIGURATION_FILE",
            PlumeConfig.environmentName("otel.javaagent.configuration-file"));
    }
}
