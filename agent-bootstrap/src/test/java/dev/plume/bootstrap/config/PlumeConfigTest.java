package dev.plume.bootstrap.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlumeConfigTest {
    private final List<String> warnings = new ArrayList<>();

    private PlumeConfig config(Map<String, String> properties, Map<String, String> environment) {
        return PlumeConfig.of(properties, environment, warnings::add);
    }

    @Test
    void spanLimitsReadTheLinkLimitsWithTheGeneralAttributeLimitAsFallback() {
        dev.plume.bootstrap.trace.SpanLimits defaults = dev.plume.bootstrap.trace.SpanLimits.from(config(Map.of(),
            Map.of()));
        assertEquals(128, defaults.linkCountLimit());
        assertEquals(128, defaults.linkAttributeCountLimit());
        dev.plume.bootstrap.trace.SpanLimits general = dev.plume.bootstrap.trace.SpanLimits.from(config(
            Map.of("otel.attribute.count.limit", "7"), Map.of("OTEL_SPAN_LINK_COUNT_LIMIT", "3")));
        assertEquals(3, general.linkCountLimit());
        assertEquals(7, general.linkAttributeCountLimit(), "the general attribute limit applies to links too");
        assertEquals(7, general.eventAttributeCountLimit());
        dev.plume.bootstrap.trace.SpanLimits specific = dev.plume.bootstrap.trace.SpanLimits.from(config(
            Map.of("otel.attribute.count.limit", "7", "otel.link.attribute.count.limit", "2"), Map.of()));
        assertEquals(2, specific.linkAttributeCountLimit());
        assertEquals(List.of(), warnings);
    }

    @Test
    void systemPropertiesWinOverEnvironmentThenTheFileThenAgentArguments(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("plume.properties");
        Files.writeString(file, "otel.service.name=from-file\notel.bsp.max.export.batch.size=7\n"
            + "otel.bsp.schedule.delay=3s\n");
        PlumeConfig config = PlumeConfig.of(
            Map.of("otel.service.name", "from-property", "otel.javaagent.configuration-file", file.toString()),
            Map.of("OTEL_SERVICE_NAME", "from-env", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "9"),
            AgentArguments.parse("otel.bsp.schedule.delay=9s,plume.exporter.queue.batches=12", warnings::add),
            warnings::add);
        assertEquals("from-property", config.getString(ConfigKeys.SERVICE_NAME));
        assertEquals(9, config.getInt(ConfigKeys.BSP_MAX_EXPORT_BATCH_SIZE));
        assertEquals(3000, config.getDurationMillis(ConfigKeys.BSP_SCHEDULE_DELAY), "the file wins over arguments");
        assertEquals(12, config.getInt(ConfigKeys.QUEUE_BATCHES), "arguments are read when nothing else sets a key");
        assertEquals(List.of(), warnings);
    }

    @Test
    void agentArgumentsKeepCommasInsideValues() {
        Map<String, String> parsed = AgentArguments.parse(
            "otel.traces.exporter=console, otel.resource.attributes=team=pay,tier=gold,plume.debug=true",
            warnings::add);
        assertEquals(Map.of("otel.traces.exporter", "console", "otel.resource.attributes", "team=pay,tier=gold",
            "plume.debug", "true"), parsed);
        assertEquals(List.of(), warnings);
    }

    @Test
    void agentArgumentsThatAreNotSettingsAreReportedRedacted() {
        Map<String, String> parsed = AgentArguments.parse("user:hunter2@host,otel.service.name=a", warnings::add);
        assertEquals(Map.of("otel.service.name", "a"), parsed);
        assertEquals(1, warnings.size(), warnings.toString());
        assertFalse(warnings.get(0).contains("hunter2"), warnings.get(0));
    }

    @Test
    void aBadValueIsOneLineNamingKeyValueAndWhatIsUsedInstead() {
        PlumeConfig config = config(Map.of("otel.bsp.schedule.delay", "soon"), Map.of());
        assertEquals(5000, config.getDurationMillis(ConfigKeys.BSP_SCHEDULE_DELAY));
        assertEquals(1, warnings.size());
        String line = warnings.get(0);
        assertTrue(line.contains("otel.bsp.schedule.delay") && line.contains("\"soon\"") && line.contains("5000 ms"),
            line);
        assertFalse(line.contains("\n"));
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
    void aDurationBelowTheKeysMinimumIsReported() {
        PlumeConfig config = config(Map.of("otel.exporter.otlp.timeout", "0"), Map.of());
        assertEquals(10_000, config.getDurationMillis(ConfigKeys.OTLP_TIMEOUT));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("above zero"), warnings.get(0));
    }

    @Test
    void outOfRangeNumbersUnknownChoicesAndNonBooleansFallBackWithAWarning() {
        PlumeConfig config = config(Map.of("otel.span.attribute.count.limit", "-3", "otel.traces.sampler", "sometimes",
            "plume.ring.buffer.size", "16m", "otel.javaagent.enabled", "maybe"), Map.of());
        assertEquals(128, config.getInt(ConfigKeys.SPAN_ATTRIBUTE_COUNT_LIMIT));
        assertEquals("parentbased_always_on", config.getChoice(ConfigKeys.TRACES_SAMPLER));
        assertEquals(16L << 20, config.getBytes(ConfigKeys.RING_BUFFER_SIZE));
        assertTrue(config.getBoolean(ConfigKeys.JAVAAGENT_ENABLED));
        assertEquals(3, warnings.size(), warnings.toString());
        assertTrue(warnings.get(2).contains("\"maybe\" for otel.javaagent.enabled (expected true or false); using true"),
            warnings.get(2));
    }

    @Test
    void mapsArePercentDecodedAndSecretsStayOutOfWarnings() {
        PlumeConfig config = config(Map.of("otel.exporter.otlp.headers", "Authorization=Bearer%20s3cr3t,broken,x=a+b",
            "otel.resource.attributes", "service.name=checkout, team=pay%2Cments"), Map.of());
        assertEquals(Map.of("Authorization", "Bearer s3cr3t", "x", "a+b"), config.getMap(ConfigKeys.OTLP_HEADERS));
        assertEquals(Map.of("service.name", "checkout", "team", "pay,ments"),
            config.getMap(ConfigKeys.RESOURCE_ATTRIBUTES));
        assertEquals(1, warnings.size());
        assertTrue(!warnings.get(0).contains("broken") && !warnings.get(0).contains("s3cr3t"), warnings.get(0));
    }

    @Test
    void anInvalidUrlIsReportedWithoutItsCredentials() {
        PlumeConfig config = config(Map.of(), Map.of());
        for (String value : List.of("user:PW1@host:4318", "ftp://user:PW1@host/x", "http://user:P W1@host:4318",
            "http://host:4318/v1/traces?token=PW1")) {
            config.invalid(ConfigKeys.OTLP_ENDPOINT, value, "a URL", "none");
        }
        assertEquals(4, warnings.size());
        for (String line : warnings) {
            assertFalse(line.contains("PW1") || line.contains("P W1"), line);
            assertTrue(line.contains("REDACTED"), line);
        }
    }

    @Test
    void unknownPlumeSettingsAreReportedOnceEach() {
        PlumeConfig config = PlumeConfig.of(Map.of("plume.exporter.spool.dirr", "/tmp/x", "plume.debug", "true"),
            Map.of("PLUME_RING_BUFFER_SIZ", "1m", "PLUME_RING_BUFFER_SIZE", "1m"), Map.of(), warnings::add);
        config.reportUnknownPlumeKeys();
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("PLUME_RING_BUFFER_SIZ ") || warnings.get(1).contains("PLUME_RING_BUFFER_SIZ "));
        assertTrue(String.join("\n", warnings).contains("plume.exporter.spool.dirr"));
    }

    @Test
    void instrumentationKeysAreAFamily() {
        ConfigKey key = ConfigKeys.find("otel.instrumentation.servlet.enabled");
        assertEquals("otel.instrumentation.servlet.enabled", key.name());
        assertEquals(ConfigKey.Type.BOOLEAN, key.type());
        assertNull(ConfigKeys.find("otel.unknown.key"));
    }

    @Test
    void environmentNamesFollowTheConvention() {
        assertEquals("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            PlumeConfig.environmentName("otel.exporter.otlp.traces.endpoint"));
        assertEquals("OTEL_JAVAAGENT_CONFIGURATION_FILE",
            PlumeConfig.environmentName("otel.javaagent.configuration-file"));
    }
}
