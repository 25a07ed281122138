package dev.plume.bootstrap.config;

import java.util.List;
import java.util.Locale;

/**
 * One configuration key, declared once in {@link ConfigKeys}: its name, type, default, bounds and a one-line doc.
 * {@link PlumeConfig} reads values through these, so a key's default and bounds exist in one place, and the README's
 * table is rendered from the same declarations (a test compares them).
 */
public final class ConfigKey {
    /** How a value is read; each type has one typed getter in {@link PlumeConfig}. */
    public enum Type { BOOLEAN, INT, DOUBLE, BYTES, DURATION, STRING, CHOICE, LIST, MAP, URL, PATH }

    private final String name;
    private final Type type;
    private final String defaultValue;
    private final String shownDefault;
    private final long min;
    private final long max;
    private final double minDouble;
    private final double maxDouble;
    private final List<String> choices;
    private final boolean secret;
    private final String doc;

    private ConfigKey(String name, Type type, String defaultValue, String shownDefault, long min, long max,
                      double minDouble, double maxDouble, List<String> choices, boolean secret, String doc) {
        this.name = name;
        this.type = type;
        this.defaultValue = defaultValue;
        this.shownDefault = shownDefault;
        this.min = min;
        this.max = max;
        this.minDouble = minDouble;
        this.maxDouble = maxDouble;
        this.choices = choices;
        this.secret = secret;
        this.doc = doc;
    }

    static ConfigKey bool(String name, boolean defaultValue, String doc) {
        return new ConfigKey(name, Type.BOOLEAN, String.valueOf(defaultValue), null, 0, 0, 0, 0, List.of(), false, doc);
    }

    static ConfigKey integer(String name, int defaultValue, int min, int max, String doc) {
        return new ConfigKey(name, Type.INT, String.valueOf(defaultValue), null, min, max, 0, 0, List.of(), false, doc);
    }

    static ConfigKey decimal(String name, double defaultValue, double min, double max, String doc) {
        return new ConfigKey(name, Type.DOUBLE, String.valueOf(defaultValue), null, 0, 0, min, max, List.of(), false,
            doc);
    }

    /** A size in bytes; {@code shown} is how the README writes the default (such as {@code 16m}). */
    static ConfigKey bytes(String name, long defaultValue, String shown, long min, long max, String doc) {
        return new ConfigKey(name, Type.BYTES, String.valueOf(defaultValue), shown, min, max, 0, 0, List.of(), false,
            doc);
    }

    /** A duration in milliseconds, at least {@code minMillis}; {@code shown} is how the README writes the default. */
    static ConfigKey duration(String name, long defaultMillis, String shown, long minMillis, String doc) {
        return new ConfigKey(name, Type.DURATION, String.valueOf(defaultMillis), shown, minMillis, Long.MAX_VALUE, 0, 0,
            List.of(), false, doc);
    }

    static ConfigKey string(String name, String defaultValue, String doc) {
        return new ConfigKey(name, Type.STRING, defaultValue, null, 0, 0, 0, 0, List.of(), false, doc);
    }

    static ConfigKey choice(String name, String defaultValue, List<String> choices, String doc) {
        return new ConfigKey(name, Type.CHOICE, defaultValue, null, 0, 0, 0, 0, List.copyOf(choices), false, doc);
    }

    static ConfigKey list(String name, String defaultValue, String doc) {
        return new ConfigKey(name, Type.LIST, defaultValue, null, 0, 0, 0, 0, List.of(), false, doc);
    }

    /** {@code key=value,...}; a secret map's values never reach a log line. */
    static ConfigKey map(String name, boolean secret, String doc) {
        return new ConfigKey(name, Type.MAP, null, null, 0, 0, 0, 0, List.of(), secret, doc);
    }

    static ConfigKey url(String name, String shownDefault, String doc) {
        return new ConfigKey(name, Type.URL, null, shownDefault, 0, 0, 0, 0, List.of(), false, doc);
    }

    static ConfigKey path(String name, String doc) {
        return new ConfigKey(name, Type.PATH, null, null, 0, 0, 0, 0, List.of(), false, doc);
    }

    /** The same declaration under another name (a family member such as {@code otel.instrumentation.x.enabled}). */
    ConfigKey named(String otherName) {
        return new ConfigKey(otherName, type, defaultValue, shownDefault, min, max, minDouble, maxDouble, choices,
            secret, doc);
    }

    /** A sibling key that falls back to this one: the same type and bounds, its own doc, no default of its own. */
    ConfigKey variant(String otherName, String otherDoc) {
        return new ConfigKey(otherName, type, defaultValue, "", min, max, minDouble, maxDouble, choices, secret,
            otherDoc);
    }

    /** The same declaration shown with another default in the README (when the real one depends on other keys). */
    ConfigKey shownAs(String shown) {
        return new ConfigKey(name, type, defaultValue, shown, min, max, minDouble, maxDouble, choices, secret, doc);
    }

    public String name() {
        return name;
    }

    public Type type() {
        return type;
    }

    /** The default as the getters parse it, or null when the key has none. */
    public String defaultValue() {
        return defaultValue;
    }

    /** The default as the README shows it (empty when there is none). */
    public String shownDefault() {
        if (shownDefault != null) {
            return shownDefault;
        }
        return defaultValue == null ? "" : "`" + defaultValue + "`";
    }

    long min() {
        return min;
    }

    long max() {
        return max;
    }

    double minDouble() {
        return minDouble;
    }

    double maxDouble() {
        return maxDouble;
    }

    public List<String> choices() {
        return choices;
    }

    public boolean secret() {
        return secret;
    }

    public String doc() {
        return doc;
    }

    /** The environment variable for this key: {@code otel.bsp.schedule.delay} is {@code OTEL_BSP_SCHEDULE_DELAY}. */
    public String environmentName() {
        return environmentName(name);
    }

    static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    @Override
    public String toString() {
        return name;
    }
}
