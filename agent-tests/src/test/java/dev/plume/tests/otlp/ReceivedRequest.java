package dev.plume.tests.otlp;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP request that reached the test receiver, whether it was accepted or not.
 *
 * @param method    the HTTP method
 * @param path      the request path, e.g. {@code /v1/traces}
 * @param headers   request headers; keys are lower case
 * @param status    the status the receiver answered with
 * @param export    the decoded export for an accepted request, otherwise {@code null}
 * @param rejection why the receiver did not accept it, otherwise {@code null}
 */
public record ReceivedRequest(String method, String path, Map<String, List<String>> headers, int status,
                              ExportTraceServiceRequest export, String rejection) {

    public boolean accepted() {
        return export != null;
    }

    /** The first value of a header (name in any case), or {@code null}. */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    @Override
    public String toString() {
        return method + " " + path + " -> " + status
                + (accepted() ? " (" + export.getResourceSpansCount() + " resource spans)" : " rejected: " + rejection)
                + " headers=" + headers;
    }
}
