package dev.plume.bootstrap.config;

import dev.plume.bootstrap.PlumeLog;
import dev.plume.bootstrap.Redaction;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The agent's argument string, {@code -javaagent:plume-agent.jar=key=value,key=value} or the second argument of
 * {@code VirtualMachine.loadAgent}: settings with the lowest precedence. A comma starts a new setting only where an
 * {@code otel.} or {@code plume.} key follows, so values that contain commas themselves
 * ({@code otel.resource.attributes=team=a,tier=b}) arrive whole.
 */
final class AgentArguments {
    private static final Pattern SETTING_START = Pattern.compile("\\s*(otel|plume)\\.[A-Za-z0-9._\\-]+\\s*=.*",
        Pattern.DOTALL);

    private AgentArguments() {
    }

    static Map<String, String> parse(String arguments) {
        return parse(arguments, PlumeLog.WARNINGS);
    }

    static Map<String, String> parse(String arguments, Consumer<String> warnings) {
        Map<String, String> settings = new LinkedHashMap<>();
        if (arguments == null || arguments.isBlank()) {
            return settings;
        }
        String currentKey = null;
        StringBuilder currentValue = new StringBuilder();
        for (String segment : arguments.split(",", -1)) {
            if (SETTING_START.matcher(segment).matches()) {
                if (currentKey != null) {
                    settings.put(currentKey, currentValue.toString().trim());
                }
                int eq = segment.indexOf('=');
                currentKey = segment.substring(0, eq).trim();
                currentValue.setLength(0);
                currentValue.append(segment, eq + 1, segment.length());
            } else if (currentKey != null) {
                currentValue.append(',').append(segment);
            } else if (!segment.isBlank()) {
                warnings.accept("agent argument \"" + Redaction.text(segment.trim()) + "\" ignored (expected"
                    + " otel.key=value or plume.key=value, comma-separated)");
            }
        }
        if (currentKey != null) {
            settings.put(currentKey, currentValue.toString().trim());
        }
        return settings;
    }
}
