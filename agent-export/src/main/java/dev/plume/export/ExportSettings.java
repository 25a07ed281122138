package dev.plume.export;

import dev.plume.bootstrap.config.PlumeConfig;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The batch settings of the exporter thread ({@code otel.bsp.*}) and the exporters selected by
 * {@code otel.traces.exporter}.
 *
 * @param exporters         {@code otlp}, {@code console} or {@code none}; OTLP first when selected (it keeps the books)
 * @param maxBatchSize      spans per export request
 * @param scheduleDelayMillis how long a started batch waits for more spans before it is sent
 * @param exportTimeoutMillis the most that shutdown waits for the last spans to be sent
 */
public record ExportSettings(List<String> exporters, int maxBatchSize, long scheduleDelayMillis,
                             long exportTimeoutMillis) {
    public static final String OTLP = "otlp";
    public static final String CONSOLE = "console";
    public static final String NONE = "none";

    static final String EXPORTER_KEY = "otel.traces.exporter";

    public ExportSettings {
        exporters = List.copyOf(exporters);
    }

    public static ExportSettings from(PlumeConfig config) {
        return new ExportSettings(
            exporters(config),
            config.getInt("otel.bsp.max.export.batch.size", 512, 1, 1 << 16),
            config.getDurationMillis("otel.bsp.schedule.delay", 5000),
            config.getDurationMillis("otel.bsp.export.timeout", 30000));
    }

    /** Reads the comma-separated exporter list; unknown names are reported in one line and left out. */
    static List<String> exporters(PlumeConfig config) {
        String raw = config.getString(EXPORTER_KEY, OTLP);
        Set<String> chosen = new LinkedHashSet<>();
        boolean unknown = false;
        for (String part : raw.split(",")) {
            String name = part.trim().toLowerCase(Locale.ROOT);
            if (name.equals(OTLP) || name.equals(CONSOLE) || name.equals(NONE)) {
                chosen.add(name);
            } else if (!name.isEmpty()) {
                unknown = true;
            }
        }
        String expected = "otlp, console or none, comma-separated";
        if (chosen.contains(NONE) && chosen.size() > 1) {
            config.invalid(EXPORTER_KEY, raw, "none alone, or otlp and console", NONE);
            return List.of(NONE);
        }
        if (chosen.isEmpty()) {
            config.invalid(EXPORTER_KEY, raw, expected, OTLP);
            return List.of(OTLP);
        }
        List<String> ordered = new ArrayList<>();
        if (chosen.contains(OTLP)) {
            ordered.add(OTLP);
        }
        if (chosen.contains(CONSOLE)) {
            ordered.add(CONSOLE);
        }
        if (chosen.contains(NONE)) {
            ordered.add(NONE);
        }
        if (unknown) {
            config.invalid(EXPORTER_KEY, raw, expected, String.join(",", ordered));
        }
        return ordered;
    }
}
