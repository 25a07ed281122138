package dev.plume.bootstrap.record;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A record decoded into plain values, for assertions. */
public record DecodedSpan(long traceIdHigh, long traceIdLow, long spanId, long parentSpanId, long start, long end,
                          int kind, int statusCode, String statusDescription, int traceFlags, boolean parentRemote,
                          int scopeId, String name, String traceState, Map<String, Object> attributes,
                          int droppedAttributes, List<Event> events, int droppedEvents, List<Link> links,
                          int droppedLinks) {

    /** One decoded event. */
    public record Event(long time, String name, Map<String, Object> attributes, int droppedAttributes) {
    }

    /** One decoded link. */
    public record Link(long traceIdHigh, long traceIdLow, long spanId, int traceFlags, boolean remote,
                       String traceState, Map<String, Object> attributes, int droppedAttributes) {
    }

    static DecodedSpan of(SpanRecordReader r) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        for (int i = 0; i < r.attributeCount(); i++) {
            attributes.put(r.attributeKey(i), r.attributeValue(i));
        }
        List<Event> events = new ArrayList<>();
        for (int e = 0; e < r.eventCount(); e++) {
            Map<String, Object> eventAttributes = new LinkedHashMap<>();
            for (int i = r.eventAttributeStart(e); i < r.eventAttributeEnd(e); i++) {
                eventAttributes.put(r.attributeKey(i), r.attributeValue(i));
            }
            events.add(new Event(r.eventEpochNanos(e), r.eventName(e), eventAttributes, r.eventDroppedAttributes(e)));
        }
        List<Link> links = new ArrayList<>();
        for (int l = 0; l < r.linkCount(); l++) {
            Map<String, Object> linkAttributes = new LinkedHashMap<>();
            for (int i = r.linkAttributeStart(l); i < r.linkAttributeEnd(l); i++) {
                linkAttributes.put(r.attributeKey(i), r.attributeValue(i));
            }
            links.add(new Link(r.linkTraceIdHigh(l), r.linkTraceIdLow(l), r.linkSpanId(l), r.linkTraceFlags(l),
                r.isLinkRemote(l), r.linkTraceState(l), linkAttributes, r.linkDroppedAttributes(l)));
        }
        return new DecodedSpan(r.traceIdHigh(), r.traceIdLow(), r.spanId(), r.parentSpanId(), r.startEpochNanos(),
            r.endEpochNanos(), r.kind(), r.statusCode(), r.statusDescription(), r.traceFlags(), r.isParentRemote(),
            r.scopeId(), r.name(), r.traceState(), attributes, r.droppedAttributes(), events, r.droppedEvents(), links,
            r.droppedLinks());
    }
}
