package dev.plume.export;

import dev.plume.bootstrap.config.ConfigKeys;
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
 * @param unansweredTimeoutMillis at shutdown, how long the backend may go without answering before the wait ends
 */
public record ExportSettings(List<String> exporters, int maxBatchSize, long scheduleDelayMillis,
                             long exportTimeoutMillis, long unansweredTimeoutMillis) {
    public static final String OTLP = "otlp";
    public static final String CONSOLE = "console";
    public static final String NONE = "none";


    public ExportSettings {
        exporters = List.copyOf(exporters);
    }

    public static ExportSettings from(PlumeConfig config) {
        return new ExportSettings(
            exporters(config),
            config.getInt(ConfigKeys.BSP_MAX_EXPORT_BATCH_SIZE),
            config.getDurationMillis(ConfigKeys.BSP_SCHEDULE_DELAY),
            config.getDurationMillis(ConfigKeys.BSP_EXPORT_TIMEOUT),
            config.getDurationMillis(ConfigKeys.SHUTDOWN_UNREACHABLE_TIMEOUT));
    }

    /** Reads the comma-separated exporter list; unknown names are reported in one line and left out. */
    static List<String> exporters(PlumeConfig config) {
        String raw = config.getString(ConfigKeys.TRACES_EXPORTER);
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
            config.invalid(ConfigKeys.TRACES_EXPORTER, raw, "none alone, or otlp and console", NONE);
            return List.of(NONE);
        }
        if (chosen.isEmpty()) {
            config.invalid(ConfigKeys.TRACES_EXPORTER, raw, expected, OTLP);
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
            config.invalid(ConfigKeys.TRACES_EXPORTER, raw, expected, String.join(",", ordered));
        }
        return ordered;
    }
}
