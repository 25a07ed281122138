package dev.plume.export.resource;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The entity that produces the spans (service, host, process, runtime), as OTLP resource attributes in a stable order.
 * Values are {@link String}, {@link Long}, {@link Double} or {@link Boolean}.
 */
public record Resource(Map<String, Object> attributes) {
    public Resource {
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    public Object get(String key) {
        return attributes.get(key);
    }
}
