package dev.plume.bootstrap.trace;

import dev.plume.bootstrap.config.ConfigKeys;
import dev.plume.bootstrap.config.PlumeConfig;

/**
 * The OpenTelemetry span limits: how many attributes, events and links a span keeps, how many attributes each event and
 * link keeps, and how long a string value (or each string of an array value) may be.
 */
public final class SpanLimits {
    /** Names and status descriptions are cut at this many characters so a record's fixed part always fits. */
    public static final int MAX_NAME_LENGTH = 4096;
    private static final int DEFAULT_LINK_COUNT = 128;
    private static final int DEFAULT_LINK_ATTRIBUTE_COUNT = 128;

    final int attributeCountLimit;
    final int eventCountLimit;
    final int eventAttributeCountLimit;
    final int linkCountLimit;
    final int linkAttributeCountLimit;
    final int valueLengthLimit;

    /** Limits with the default link limits (128 links, 128 attributes per link). */
    public SpanLimits(int attributeCountLimit, int eventCountLimit, int eventAttributeCountLimit,
                      int valueLengthLimit) {
        this(attributeCountLimit, eventCountLimit, eventAttributeCountLimit, DEFAULT_LINK_COUNT,
            DEFAULT_LINK_ATTRIBUTE_COUNT, valueLengthLimit);
    }

    public SpanLimits(int attributeCountLimit, int eventCountLimit, int eventAttributeCountLimit, int linkCountLimit,
                      int linkAttributeCountLimit, int valueLengthLimit) {
        this.attributeCountLimit = attributeCountLimit;
        this.eventCountLimit = eventCountLimit;
        this.eventAttributeCountLimit = eventAttributeCountLimit;
        this.linkCountLimit = linkCountLimit;
        this.linkAttributeCountLimit = linkAttributeCountLimit;
        this.valueLengthLimit = valueLengthLimit;
    }

    public static SpanLimits defaults() {
        return new SpanLimits(128, 128, 128, DEFAULT_LINK_COUNT, DEFAULT_LINK_ATTRIBUTE_COUNT, Integer.MAX_VALUE);
    }

    /**
     * Reads {@code otel.span.attribute.count.limit} and its siblings; the general {@code otel.attribute.*} keys are the
     * fallback for span, event and link attributes, as in the OpenTelemetry SDK.
     */
    public static SpanLimits from(PlumeConfig config) {
        int generalCount = config.getInt(ConfigKeys.ATTRIBUTE_COUNT_LIMIT);
        int attributes = config.getInt(ConfigKeys.SPAN_ATTRIBUTE_COUNT_LIMIT, generalCount);
        int events = config.getInt(ConfigKeys.SPAN_EVENT_COUNT_LIMIT);
        int eventAttributes = config.getInt(ConfigKeys.EVENT_ATTRIBUTE_COUNT_LIMIT, generalCount);
        int links = config.getInt(ConfigKeys.SPAN_LINK_COUNT_LIMIT);
        int linkAttributes = config.getInt(ConfigKeys.LINK_ATTRIBUTE_COUNT_LIMIT, generalCount);
        int generalLength = config.getInt(ConfigKeys.ATTRIBUTE_VALUE_LENGTH_LIMIT);
        int length = config.getInt(ConfigKeys.SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT, generalLength);
        return new SpanLimits(attributes, events, eventAttributes, links, linkAttributes, length);
    }

    public int attributeCountLimit() {
        return attributeCountLimit;
    }

    public int eventCountLimit() {
        return eventCountLimit;
    }

    public int eventAttributeCountLimit() {
        return eventAttributeCountLimit;
    }

    public int linkCountLimit() {
        return linkCountLimit;
    }

    public int linkAttributeCountLimit() {
        return linkAttributeCountLimit;
    }

    public int valueLengthLimit() {
        return valueLengthLimit;
    }
}
