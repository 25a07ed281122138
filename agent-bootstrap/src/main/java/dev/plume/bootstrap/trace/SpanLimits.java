package dev.plume.bootstrap.trace;

import dev.plume.bootstrap.config.ConfigKeys;
import dev.plume.bootstrap.config.PlumeConfig;

/** The OpenTelemetry span limits: how many attributes and events a span keeps, and how long a string value may be. */
public final class SpanLimits {
    /** Names and status descriptions are cut at this many characters so a record's fixed part always fits. */
    public static final int MAX_NAME_LENGTH = 4096;

    final int attributeCountLimit;
    final int eventCountLimit;
    final int eventAttributeCountLimit;
    final int valueLengthLimit;

    public SpanLimits(int attributeCountLimit, int eventCountLimit, int eventAttributeCountLimit,
                      int valueLengthLimit) {
        this.attributeCountLimit = attributeCountLimit;
        this.eventCountLimit = eventCountLimit;
        this.eventAttributeCountLimit = eventAttributeCountLimit;
        this.valueLengthLimit = valueLengthLimit;
    }

    public static SpanLimits defaults() {
        return new SpanLimits(128, 128, 128, Integer.MAX_VALUE);
    }

    /** Reads {@code otel.span.attribute.count.limit} and its siblings (general {@code otel.attribute.*} as fallback). */
    public static SpanLimits from(PlumeConfig config) {
        int generalCount = config.getInt(ConfigKeys.ATTRIBUTE_COUNT_LIMIT);
        int attributes = config.getInt(ConfigKeys.SPAN_ATTRIBUTE_COUNT_LIMIT, generalCount);
        int events = config.getInt(ConfigKeys.SPAN_EVENT_COUNT_LIMIT);
        int eventAttributes = config.getInt(ConfigKeys.EVENT_ATTRIBUTE_COUNT_LIMIT, generalCount);
        int generalLength = config.getInt(ConfigKeys.ATTRIBUTE_VALUE_LENGTH_LIMIT);
        int length = config.getInt(ConfigKeys.SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT, generalLength);
        return new SpanLimits(attributes, events, eventAttributes, length);
    }

    public int attributeCountLimit() {
        return attributeCountLimit;
    }

    public int eventCountLimit() {
        return eventCountLimit;
    }

    public int valueLengthLimit() {
        return valueLengthLimit;
    }
}
