package dev.plume.tests.bench;

/**
 * Counts the spans of an OTLP {@code ExportTraceServiceRequest} by walking its fields without building messages:
 * request.resource_spans (1) → ResourceSpans.scope_spans (2) → ScopeSpans.spans (2). Field numbers from
 * opentelemetry-proto.
 */
final class ProtobufSpanCounter {

    private ProtobufSpanCounter() {
    }

    static long count(byte[] request) {
        return countNested(request, 0, request.length, 0);
    }

    // depth 0: request, 1: ResourceSpans, 2: ScopeSpans
    private static long countNested(byte[] buffer, int start, int end, int depth) {
        long count = 0;
        int index = start;
        while (index < end) {
            long tag = 0;
            int shift = 0;
            byte b;
            do {
                b = buffer[index++];
                tag |= (long) (b & 0x7F) << shift;
                shift += 7;
            } while (b < 0);
            int field = (int) (tag >>> 3);
            int wireType = (int) (tag & 7);
            switch (wireType) {
                case 0 -> {
                    while (buffer[index++] < 0) {
                        // skip the varint
                    }
                }
                case 1 -> index += 8;
                case 5 -> index += 4;
                case 2 -> {
                    long length = 0;
                    shift = 0;
                    do {
                        b = buffer[index++];
                        length |= (long) (b & 0x7F) << shift;
                        shift += 7;
                    } while (b < 0);
                    int valueEnd = index + (int) length;
                    if (valueEnd > end) {
                        throw new IllegalArgumentException("truncated field " + field + " at depth " + depth);
                    }
                    if (depth == 0 && field == 1) {
                        count += countNested(buffer, index, valueEnd, 1);
                    } else if (depth == 1 && field == 2) {
                        count += countNested(buffer, index, valueEnd, 2);
                    } else if (depth == 2 && field == 2) {
                        count++;
                    }
                    index = valueEnd;
                }
                default -> throw new IllegalArgumentException("wire type " + wireType + " at depth " + depth);
            }
        }
        if (index != end) {
            throw new IllegalArgumentException("field overruns its message at depth " + depth);
        }
        return count;
    }
}
