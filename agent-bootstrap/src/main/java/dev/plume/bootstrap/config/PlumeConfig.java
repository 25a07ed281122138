package dev.plume.bootstrap.config;

import dev.plume.bootstrap.PlumeLog;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The agent's configuration: {@code otel.x.y} system properties, then {@code OTEL_X_Y} environment variables, then the
 * file named by {@code otel.javaagent.configuration-file}. Typed getters explain a bad value in one log line.
 */
public final class PlumeConfig {
    private final Map<String, String> systemProperties;
    private final Map<String, String> environment;
    private final Map<String, String> file;
    private final Consumer<String> warnings;

    PlumeConfig(Map<String, String> systemProperties, Map<String, String> environment, Map<String, String> file,
                Consumer<String> warnings) {
        this.systemProperties = systemProperties;
        this.environment = environment;
        this.file = file;
        this.warnings = warnings;
    }

    /** Reads the running JVM's system properties and environment (and the configuration file when one is named). */
    public static PlumeConfig fromEnvironment() {
        Map<String, String> props = new LinkedHashMap<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            props.put(name, System.getProperty(name));
        }
        return of(props, System.getenv(), PlumeLog::warn);
    }

    /** Builds a configuration from explicit maps; {@code warnings} receives the one-line explanations of bad values. */
    public static PlumeConfig of(Map<String, String> systemProperties, Map<String, String> environment,
                                 Consumer<String> warnings) {
        PlumeConfig withoutFile = new PlumeConfig(systemProperties, environment, Collections.emptyMap(), warnings);
        String path = withoutFile.getString("otel.javaagent.configuration-file", null);
        if (path == null) {
            return withoutFile;
        }
        Map<String, String> fileValues = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(Path.of(path))) {
            Properties properties = new Properties();
            properties.load(in);
            for (String name : properties.stringPropertyNames()) {
                fileValues.put(name, properties.getProperty(name));
            }
        } catch (IOException | RuntimeException e) {
            warnings.accept("cannot read otel.javaagent.configuration-file=" + path + " (" + e
                + "); using system properties and environment only");
        }
        return new PlumeConfig(systemProperties, environment, fileValues, warnings);
    }

    /** The environment variable name for a property name: {@code otel.bsp.schedule.delay} is {@code OTEL_BSP_SCHEDULE_DELAY}. */
    public static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The raw value, or null when the key is not set anywhere (blank values count as not set). */
    public String getRaw(String key) {
        String value = systemProperties.get(key);
        if (isBlank(value)) {
            value = environment.get(environmentName(key));
        }
        if (isBlank(value)) {
            value = file.get(key);
        }
        return isBlank(value) ? null : value.trim();
    }

    public String getString(String key, String defaultValue) {
        String raw = getRaw(key);
        return raw == null ? defaultValue : raw;
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        String raw = getRaw(key);
        if (raw == null) {
            return defaultValue;
        }
        if (raw.equalsIgnoreCase("true")) {
            return true;
        }
        if (raw.equalsIgnoreCase("false")) {
            return false;
        }
        invalid(key, raw, "true or false", String.valueOf(defaultValue));
        return defaultValue;
    }

    /** An integer within [min, max]. */
    public int getInt(String key, int defaultValue, int min, int max) {
        String raw = getRaw(key);
        if (raw == null) {
            return defaultValue;
        }
        try {
            long value = Long.parseLong(raw);
            if (value >= min && value <= max) {
                return (int) value;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        invalid(key, raw, "an integer from " + min + " to " + max, String.valueOf(defaultValue));
        return defaultValue;
    }

    /** A size in bytes: a plain number, or with a {@code k}, {@code m} or {@code g} suffix (powers of 1024). */
    public long getBytes(String key, long defaultValue, long min, long max) {
        String raw = getRaw(key);
        if (raw == null) {
            return defaultValue;
        }
        String lower = raw.toLowerCase(Locale.ROOT);
        long multiplier = 1;
        if (lower.endsWith("kb") || lower.endsWith("mb") || lower.endsWith("gb")) {
            lower = lower.substring(0, lower.length() - 1);
        }
        switch (lower.isEmpty() ? ' ' : lower.charAt(lower.length() - 1)) {
            case 'k' -> multiplier = 1L << 10;
            case 'm' -> multiplier = 1L << 20;
            case 'g' -> multiplier = 1L << 30;
            default -> multiplier = 1;
        }
        if (multiplier != 1) {
            lower = lower.substring(0, lower.length() - 1);
        }
        try {
            long value = Math.multiplyExact(Long.parseLong(lower.trim()), multiplier);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException | ArithmeticException ignored) {
            // reported below
        }
        invalid(key, raw, "a size from " + min + " to " + max + " bytes (suffix k, m or g allowed)",
            String.valueOf(defaultValue));
        return defaultValue;
    }

    /**
     * A duration in milliseconds, as the OpenTelemetry SDK reads them: a plain number is milliseconds, or a number with
     * one of the units {@code ms}, {@code s}, {@code m}, {@code h}, {@code d}.
     */
    public long getDurationMillis(String key, long defaultMillis) {
        String raw = getRaw(key);
        if (raw == null) {
            return defaultMillis;
        }
        long millis = parseDurationMillis(raw);
        if (millis >= 0) {
            return millis;
        }
        invalid(key, raw, "a duration such as 5000, 500ms or 5s", defaultMillis + " ms");
        return defaultMillis;
    }

    static long parseDurationMillis(String raw) {
        String value = raw.trim().toLowerCase(Locale.ROOT);
        int unitStart = 0;
        while (unitStart < value.length() && Character.isDigit(value.charAt(unitStart))) {
            unitStart++;
        }
        if (unitStart == 0 || unitStart > 15) {
            return -1;
        }
        long number = Long.parseLong(value.substring(0, unitStart));
        String unit = value.substring(unitStart).trim();
        long factor;
        switch (unit) {
            case "", "ms" -> factor = 1;
            case "s" -> factor = 1_000;
            case "m" -> factor = 60_000;
            case "h" -> factor = 3_600_000;
            case "d" -> factor = 86_400_000;
            default -> {
                return -1;
            }
        }
        return number * factor;
    }

    /** One of the allowed values (compared case-insensitively, returned in lower case). */
    public String getChoice(String key, String defaultValue, Set<String> allowed) {
        String raw = getRaw(key);
        if (raw == null) {
            return defaultValue;
        }
        String lower = raw.toLowerCase(Locale.ROOT);
        if (allowed.contains(lower)) {
            return lower;
        }
        invalid(key, raw, "one of " + String.join(", ", new java.util.TreeSet<>(allowed)), defaultValue);
        return defaultValue;
    }

    /** A double within [min, max]. */
    public double getDouble(String key, double defaultValue, double min, double max) {
        String raw = getRaw(key);
        if (raw == null) {
            return defaultValue;
        }
        try {
            double value = Double.parseDouble(raw);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        invalid(key, raw, "a number from " + min + " to " + max, String.valueOf(defaultValue));
        return defaultValue;
    }

    /**
     * A list of {@code key=value} pairs separated by commas, values percent-decoded, as the OTLP exporter and resource
     * specifications define for {@code otel.exporter.otlp.headers} and {@code otel.resource.attributes}.
     * Entries without '=' are skipped and reported; {@code secret} hides the values from the report.
     */
    public Map<String, String> getMap(String key, boolean secret) {
        String raw = getRaw(key);
        Map<String, String> result = new LinkedHashMap<>();
        if (raw == null) {
            return result;
        }
        for (String entry : raw.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            String name = eq <= 0 ? "" : entry.substring(0, eq).trim();
            if (name.isEmpty()) {
                warnings.accept("invalid entry " + (secret ? "<hidden>" : '"' + entry.trim() + '"') + " in " + key
                    + " (expected key=value); skipped");
                continue;
            }
            String value = entry.substring(eq + 1).trim();
            try {
                value = URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                warnings.accept("invalid percent-encoding in " + key + " entry " + name + "; value used as written");
            }
            result.put(name, value);
        }
        return result;
    }

    /** Reports a bad value: the key, the value and what is used instead, in one line. */
    public void invalid(String key, String value, String expected, String used) {
        warnings.accept("invalid value \"" + value + "\" for " + key + " (expected " + expected + "); using " + used);
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
