package dev.plume.bootstrap.config;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.Redaction;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The agent's configuration, read through the keys declared in {@link ConfigKeys}: {@code otel.x.y} system
 * properties, then {@code OTEL_X_Y} environment variables, then the file named by
 * {@code otel.javaagent.configuration-file}, then the agent's arguments ({@code -javaagent:plume-agent.jar=k=v,k2=v2}
 * or {@code VirtualMachine.loadAgent(jar, "k=v,k2=v2")}). Typed getters explain a bad value in one log line naming the
 * key, the value (redacted) and what is used instead.
 */
public final class PlumeConfig {
    private final Map<String, String> systemProperties;
    private final Map<String, String> environment;
    private final Map<String, String> file;
    private final Map<String, String> agentArguments;
    private final Consumer<String> warnings;

    private PlumeConfig(Map<String, String> systemProperties, Map<String, String> environment,
                        Map<String, String> file, Map<String, String> agentArguments, Consumer<String> warnings) {
        this.systemProperties = systemProperties;
        this.environment = environment;
        this.file = file;
        this.agentArguments = agentArguments;
        this.warnings = warnings;
    }

    /**
     * Reads the running JVM's system properties and environment, the configuration file when one is named, and the
     * agent's arguments; unknown {@code plume.*} keys are reported (they are typos: Plume reads no other).
     */
    public static PlumeConfig fromEnvironment(String agentArguments) {
        Map<String, String> props = new LinkedHashMap<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            props.put(name, System.getProperty(name));
        }
        PlumeConfig config = of(props, System.getenv(), AgentArguments.parse(agentArguments), PlumeLog.WARNINGS);
        config.reportUnknownPlumeKeys();
        return config;
    }

    /** Builds a configuration from explicit maps; {@code warnings} receives the one-line explanations of bad values. */
    public static PlumeConfig of(Map<String, String> systemProperties, Map<String, String> environment,
                                 Consumer<String> warnings) {
        return of(systemProperties, environment, Map.of(), warnings);
    }

    /** As {@link #of(Map, Map, Consumer)}, with agent arguments (the lowest precedence). */
    public static PlumeConfig of(Map<String, String> systemProperties, Map<String, String> environment,
                                 Map<String, String> agentArguments, Consumer<String> warnings) {
        PlumeConfig withoutFile = new PlumeConfig(systemProperties, environment, Collections.emptyMap(),
            agentArguments, warnings);
        String path = withoutFile.getRaw(ConfigKeys.CONFIGURATION_FILE);
        if (path == null) {
            return withoutFile;
        }
        Map<String, String> fileValues = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(Path.of(path))) {
            java.util.Properties properties = new java.util.Properties();
            properties.load(in);
            for (String name : properties.stringPropertyNames()) {
                fileValues.put(name, properties.getProperty(name));
            }
        } catch (IOException | RuntimeException e) {
            warnings.accept("cannot read " + ConfigKeys.CONFIGURATION_FILE + "=" + path + " ("
                + Redaction.text(e.toString()) + "); using the other sources only");
        }
        return new PlumeConfig(systemProperties, environment, fileValues, agentArguments, warnings);
    }

    /** The environment variable name for a property name: {@code otel.bsp.schedule.delay} is {@code OTEL_BSP_SCHEDULE_DELAY}. */
    public static String environmentName(String key) {
        return ConfigKey.environmentName(key);
    }

    /** The raw value, or null when the key is not set anywhere (blank values count as not set). */
    public String getRaw(ConfigKey key) {
        String name = key.name();
        String value = systemProperties.get(name);
        if (isBlank(value)) {
            value = environment.get(key.environmentName());
        }
        if (isBlank(value)) {
            value = file.get(name);
        }
        if (isBlank(value)) {
            value = agentArguments.get(name);
        }
        return isBlank(value) ? null : value.trim();
    }

    /** A string, or the key's default. */
    public String getString(ConfigKey key) {
        return getString(key, key.defaultValue());
    }

    /** A string, or {@code defaultValue} (for keys whose default depends on other keys). */
    public String getString(ConfigKey key, String defaultValue) {
        String raw = getRaw(key);
        return raw == null ? defaultValue : raw;
    }

    public boolean getBoolean(ConfigKey key) {
        boolean defaultValue = Boolean.parseBoolean(key.defaultValue());
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

    /** An integer within the key's bounds. */
    public int getInt(ConfigKey key) {
        return getInt(key, Integer.parseInt(key.defaultValue()));
    }

    /** An integer within the key's bounds, or {@code defaultValue} (for keys whose default is another key's value). */
    public int getInt(ConfigKey key, int defaultValue) {
        String raw = getRaw(key);
        if (raw == null) {
            return defaultValue;
        }
        try {
            long value = Long.parseLong(raw);
            if (value >= key.min() && value <= key.max()) {
                return (int) value;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        invalid(key, raw, "an integer from " + key.min() + " to " + key.max(), String.valueOf(defaultValue));
        return defaultValue;
    }

    /** A size in bytes: a plain number, or with a {@code k}, {@code m} or {@code g} suffix (powers of 1024). */
    public long getBytes(ConfigKey key) {
        long defaultValue = Long.parseLong(key.defaultValue());
        String raw = getRaw(key);
        if (raw == null) {
            return defaultValue;
        }
        long value = parseBytes(raw);
        if (value >= key.min() && value <= key.max()) {
            return value;
        }
        invalid(key, raw, "a size from " + key.min() + " to " + key.max() + " bytes (suffix k, m or g allowed)",
            String.valueOf(defaultValue));
        return defaultValue;
    }

    /** Bytes, or -1 when the text is not a size. */
    static long parseBytes(String raw) {
        String lower = raw.trim().toLowerCase(Locale.ROOT);
        if (lower.endsWith("kb") || lower.endsWith("mb") || lower.endsWith("gb")) {
            lower = lower.substring(0, lower.length() - 1);
        }
        long multiplier = switch (lower.isEmpty() ? ' ' : lower.charAt(lower.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        if (multiplier != 1) {
            lower = lower.substring(0, lower.length() - 1);
        }
        try {
            long value = Math.multiplyExact(Long.parseLong(lower.trim()), multiplier);
            return value < 0 ? -1 : value;
        } catch (NumberFormatException | ArithmeticException e) {
            return -1;
        }
    }

    /**
     * A duration in milliseconds, as the OpenTelemetry SDK reads them: a plain number is milliseconds, or a number with
     * one of the units {@code ms}, {@code s}, {@code m}, {@code h}, {@code d}; at least the key's minimum.
     */
    public long getDurationMillis(ConfigKey key) {
        return getDurationMillis(key, Long.parseLong(key.defaultValue()));
    }

    /** As {@link #getDurationMillis(ConfigKey)}, or {@code defaultMillis} when the key is not set. */
    public long getDurationMillis(ConfigKey key, long defaultMillis) {
        String raw = getRaw(key);
        if (raw == null) {
            return defaultMillis;
        }
        long millis = parseDurationMillis(raw);
        if (millis >= key.min()) {
            return millis;
        }
        String expected = key.min() > 0 ? "a duration above zero, such as 5000, 500ms or 5s"
            : "a duration such as 5000, 500ms or 5s";
        invalid(key, raw, expected, defaultMillis + " ms");
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
        long factor = switch (value.substring(unitStart).trim()) {
            case "", "ms" -> 1;
            case "s" -> 1_000;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            case "d" -> 86_400_000;
            default -> -1;
        };
        return factor < 0 ? -1 : number * factor;
    }

    /** One of the key's choices (compared case-insensitively, returned in lower case). */
    public String getChoice(ConfigKey key) {
        return getChoice(key, key.defaultValue());
    }

    /** As {@link #getChoice(ConfigKey)}, with the default given (for keys that fall back to a general key). */
    public String getChoice(ConfigKey key, String defaultValue) {
        String raw = getRaw(key);
        if (raw == null) {
            return defaultValue;
        }
        String lower = raw.toLowerCase(Locale.ROOT);
        if (key.choices().contains(lower)) {
            return lower;
        }
        invalid(key, raw, "one of " + String.join(", ", new TreeSet<>(key.choices())), defaultValue);
        return defaultValue;
    }

    /** A number within the key's bounds. */
    public double getDouble(ConfigKey key) {
        double defaultValue = Double.parseDouble(key.defaultValue());
        String raw = getRaw(key);
        if (raw == null) {
            return defaultValue;
        }
        try {
            double value = Double.parseDouble(raw);
            if (value >= key.minDouble() && value <= key.maxDouble()) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        invalid(key, raw, "a number from " + key.minDouble() + " to " + key.maxDouble(), String.valueOf(defaultValue));
        return defaultValue;
    }

    /** A comma-separated list, entries trimmed, empty ones left out; the key's default when unset. */
    public List<String> getList(ConfigKey key) {
        String raw = getString(key);
        List<String> entries = new ArrayList<>();
        if (raw != null) {
            for (String part : raw.split(",")) {
                if (!part.isBlank()) {
                    entries.add(part.trim());
                }
            }
        }
        return entries;
    }

    /**
     * A list of {@code key=value} pairs separated by commas, values percent-decoded, as the OTLP exporter and resource
     * specifications define for {@code otel.exporter.otlp.headers} and {@code otel.resource.attributes}.
     * Entries without '=' are skipped and reported; a secret key's values never reach the report.
     */
    public Map<String, String> getMap(ConfigKey key) {
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
                warnings.accept("invalid entry " + (key.secret() ? "<hidden>" : '"' + Redaction.text(entry.trim()) + '"')
                    + " in " + key + " (expected key=value); skipped");
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

    /**
     * Reports a bad value: the key, the value and what is used instead, in one line. The value is shown redacted (a
     * URL loses its user information and query values; a secret is not shown at all).
     */
    public void invalid(ConfigKey key, String value, String expected, String used) {
        String shown = key.secret() ? "<hidden>"
            : key.type() == ConfigKey.Type.URL ? Redaction.url(value) : Redaction.text(value);
        warnings.accept("invalid value \"" + shown + "\" for " + key + " (expected " + expected + "); using " + used);
    }

    /** One line per {@code plume.*} key set anywhere that no declaration names (a typo loses the setting silently). */
    void reportUnknownPlumeKeys() {
        TreeSet<String> unknown = new TreeSet<>();
        for (Map<String, String> source : List.of(systemProperties, file, agentArguments)) {
            for (String name : source.keySet()) {
                if (name.startsWith("plume.") && ConfigKeys.find(name) == null) {
                    unknown.add(name);
                }
            }
        }
        for (String name : environment.keySet()) {
            if (name.startsWith("PLUME_")) {
                boolean known = false;
                for (ConfigKey key : ConfigKeys.ALL) {
                    known |= key.environmentName().equals(name);
                }
                if (!known) {
                    unknown.add(name);
                }
            }
        }
        for (String name : unknown) {
            warnings.accept("unknown setting " + name + " ignored (see the configuration table in the README)");
        }
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
