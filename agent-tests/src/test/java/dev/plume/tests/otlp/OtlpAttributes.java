package dev.plume.tests.otlp;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Converts OTLP attributes to plain Java values, so assertions read {@code 200L} rather than nested protos. */
public final class OtlpAttributes {

    private OtlpAttributes() {
    }

    /**
     * Returns the attributes as an insertion-ordered map: strings, {@code Long} for ints, {@code Double},
     * {@code Boolean}, {@code byte[]}, {@code List} for arrays and {@code Map} for key-value lists.
     */
    public static Map<String, Object> toMap(List<KeyValue> attributes) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (KeyValue attribute : attributes) {
            // A repeated key is a malformed export; keep the first so the duplicate stays visible in toString.
            map.putIfAbsent(attribute.getKey(), toJava(attribute.getValue()));
        }
        return Collections.unmodifiableMap(map);
    }

    /** Converts one value; an unset value becomes {@code null}. */
    public static Object toJava(AnyValue value) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> value.getStringValue();
            case BOOL_VALUE -> value.getBoolValue();
            case INT_VALUE -> value.getIntValue();
            case DOUBLE_VALUE -> value.getDoubleValue();
            case BYTES_VALUE -> value.getBytesValue().toByteArray();
            case ARRAY_VALUE -> {
                List<Object> values = new ArrayList<>();
                value.getArrayValue().getValuesList().forEach(element -> values.add(toJava(element)));
                yield Collections.unmodifiableList(values);
            }
            case KVLIST_VALUE -> toMap(value.getKvlistValue().getValuesList());
            case STRING_VALUE_STRINDEX, VALUE_NOT_SET -> null;
        };
    }
}
