package dev.plume.export.otlp;

import dev.plume.bootstrap.config.PlumeConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The traces URL by the OTLP exporter specification's rules for OTLP/HTTP. */
class OtlpEndpointTest {

    @ParameterizedTest(name = "traces={0} base={1} -> {2}")
    @CsvSource(nullValues = "-", value = {
        // neither set: the default endpoint plus v1/traces
        "-, -, http://localhost:4318/v1/traces",
        // the general endpoint gets v1/traces appended relative to its path, slash or not
        "-, http://collector:4318, http://collector:4318/v1/traces",
        "-, http://collector:4318/, http://collector:4318/v1/traces",
        "-, https://collector:4318/mypath, https://collector:4318/mypath/v1/traces",
        "-, https://collector:4318/mypath/, https://collector:4318/mypath/v1/traces",
        "-, https://gateway.example.com/otlp/, https://gateway.example.com/otlp/v1/traces",
        "-, http://collector:4318/v1/traces, http://collector:4318/v1/traces/v1/traces",
        // the signal-specific endpoint is used as it is (no path means the root path)
        "http://collector:4318, -, http://collector:4318/",
        "http://collector:4318/custom/path, http://other:4318, http://collector:4318/custom/path",
        "https://collector:4318/v1/traces/, -, https://collector:4318/v1/traces/",
        "http://collector:4318/v1/traces, http://ignored:1234/base, http://collector:4318/v1/traces",
        // malformed: no URL
        "localhost:4318, -, -",
        "-, collector:4318, -",
        "-, ftp://collector:4318, -",
        "http://, -, -",
    })
    void tracesUrl(String tracesEndpoint, String baseEndpoint, String expected) {
        assertEquals(expected, OtlpEndpoint.tracesUrl(tracesEndpoint, baseEndpoint));
    }

    @Test
    void malformedEndpointIsOneLineNamingKeyAndValue() {
        List<String> warnings = new ArrayList<>();
        PlumeConfig config = PlumeConfig.of(Map.of("otel.exporter.otlp.endpoint", "collector:4318"), Map.of(),
            warnings::add);
        OtlpExporterSettings settings = OtlpExporterSettings.from(config);
        assertNull(settings.url());
        assertEquals(1, warnings.size(), warnings.toString());
        String line = warnings.get(0);
        assertTrue(line.contains("otel.exporter.otlp.endpoint") && line.contains("collector:4318")
            && line.contains("dropped"), line);
        assertTrue(!line.contains("\n"), line);
    }

    @Test
    void tracesSettingsOverrideGeneralOnes() {
        List<String> warnings = new ArrayList<>();
        PlumeConfig config = PlumeConfig.of(Map.of(
            "otel.exporter.otlp.endpoint", "http://general:4318",
            "otel.exporter.otlp.traces.endpoint", "http://traces:9999/ingest",
            "otel.exporter.otlp.headers", "a=1,b=2",
            "otel.exporter.otlp.traces.headers", "b=3",
            "otel.exporter.otlp.compression", "none",
            "otel.exporter.otlp.traces.compression", "gzip",
            "otel.exporter.otlp.timeout", "1000",
            "otel.exporter.otlp.traces.timeout", "2s"), Map.of(), warnings::add);
        OtlpExporterSettings settings = OtlpExporterSettings.from(config);
        assertEquals("http://traces:9999/ingest", settings.url().toString());
        assertEquals(Map.of("a", "1", "b", "3"), settings.headers());
        assertTrue(settings.gzip());
        assertEquals(2000, settings.timeoutMillis());
        assertEquals(List.of(), warnings);
    }

    @Test
    void environmentVariablesWork() {
        PlumeConfig config = PlumeConfig.of(Map.of(), Map.of(
            "OTEL_EXPORTER_OTLP_ENDPOINT", "https://env-collector",
            "OTEL_EXPORTER_OTLP_TIMEOUT", "3000"), w -> { });
        OtlpExporterSettings settings = OtlpExporterSettings.from(config);
        assertEquals("https://env-collector/v1/traces", settings.url().toString());
        assertEquals(3000, settings.timeoutMillis());
    }
}
