package dev.plume.tests.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP protobuf trace receiver on 127.0.0.1 that records every request, for tests to assert on
 * what a backend would receive.
 */
public final class OtlpHttpReceiver implements AutoCloseable {

    public static final String TRACES_PATH = "/v1/traces";
    private static final String PROTOBUF = "application/x-protobuf";
    private static final byte[] EMPTY_RESPONSE = ExportTraceServiceResponse.getDefaultInstance().toByteArray();

    private final HttpServer server;
    private final ExecutorService executor;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition received = lock.newCondition();
    private final List<ReceivedRequest> all = new ArrayList<>();

    private OtlpHttpReceiver(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts a receiver on an ephemeral port of 127.0.0.1. */
    public static OtlpHttpReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
            ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
                Thread thread = new Thread(runnable, "otlp-receiver");
                thread.setDaemon(true);
                return thread;
            });
            OtlpHttpReceiver receiver = new OtlpHttpReceiver(server, executor);
            // One catch-all context, so a request to a wrong path is recorded and shows up in failure messages.
            server.createContext("/", receiver::handle);
            server.setExecutor(executor);
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The base URL to configure as {@code otel.exporter.otlp.endpoint}, e.g. {@code http://127.0.0.1:4318}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Every request so far, accepted or rejected, in arrival order. */
    public List<ReceivedRequest> received() {
        lock.lock();
        try {
            return List.copyOf(all);
        } finally {
            lock.unlock();
        }
    }

    /** The decoded exports accepted so far, in arrival order. */
    public List<ExportTraceServiceRequest> requests() {
        return received().stream().filter(ReceivedRequest::accepted).map(ReceivedRequest::export).toList();
    }

    public List<ResourceSpans> resourceSpans() {
        return requests().stream().flatMap(request -> request.getResourceSpansList().stream()).toList();
    }

    /** Every span received so far, in arrival order. */
    public List<ReceivedSpan> spans() {
        List<ReceivedSpan> spans = new ArrayList<>();
        for (ResourceSpans resourceSpans : resourceSpans()) {
            for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
                for (Span span : scopeSpans.getSpansList()) {
                    spans.add(new ReceivedSpan(span, resourceSpans.getResource(), scopeSpans.getScope()));
                }
            }
        }
        return spans;
    }

    public List<ReceivedSpan> spans(String name, Span.SpanKind kind) {
        return spans().stream().filter(named(name, kind)).toList();
    }

    public List<ReceivedSpan> trace(String traceId) {
        return spans().stream().filter(span -> span.traceId().equals(traceId)).toList();
    }

    public static Predicate<ReceivedSpan> named(String name, Span.SpanKind kind) {
        return span -> span.kind() == kind && span.name().equals(name);
    }

    /**
     * Waits until the spans received so far satisfy {@code condition} and returns them.
     *
     * @throws AssertionError on timeout, listing what was received
     */
    public List<ReceivedSpan> awaitSpans(String description, Predicate<List<ReceivedSpan>> condition,
                                         Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                List<ReceivedSpan> spans = spans();
                if (condition.test(spans)) {
                    return spans;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("Timed out after " + timeout.toMillis() + " ms waiting for "
                            + description + "\n" + summary());
                }
                received.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while waiting for " + description, e);
        } finally {
            lock.unlock();
        }
    }

    /** Waits for a span matching {@code match} and returns the first one received. */
    public ReceivedSpan awaitSpan(String description, Predicate<ReceivedSpan> match, Duration timeout) {
        return awaitSpans(description, spans -> spans.stream().anyMatch(match), timeout)
                .stream().filter(match).findFirst().orElseThrow();
    }

    /** Waits until the trace has at least {@code count} spans and returns all of its spans. */
    public List<ReceivedSpan> awaitTrace(String traceId, int count, Duration timeout) {
        return awaitSpans(count + " spans in trace " + traceId,
                spans -> spans.stream().filter(span -> span.traceId().equals(traceId)).count() >= count,
                timeout).stream().filter(span -> span.traceId().equals(traceId)).toList();
    }

    /**
     * Asserts that no request arrives, counting those already received, during {@code window}. The one
     * place a test waits for a fixed time, because absence cannot be observed any other way.
     */
    public void assertNothingReceivedWithin(Duration window) {
        long deadline = System.nanoTime() + window.toNanos();
        lock.lock();
        try {
            while (all.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                received.awaitNanos(left);
            }
            throw new AssertionError("Expected no request, but got:\n" + summary());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while watching for requests", e);
        } finally {
            lock.unlock();
        }
    }

    /** A readable account of every request and span received, for failure messages. */
    public String summary() {
        List<ReceivedRequest> requests = received();
        List<ReceivedSpan> spans = spans();
        StringBuilder text = new StringBuilder("receiver at ").append(endpoint()).append(" got ")
                .append(requests.size()).append(" request(s) and ").append(spans.size()).append(" span(s)");
        for (ReceivedRequest request : requests) {
            if (!request.accepted()) {
                text.append("\n  rejected: ").append(request);
            }
        }
        for (ReceivedSpan span : spans) {
            text.append("\n  ").append(span);
        }
        return text.toString();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            Map<String, List<String>> headers = lowerCaseHeaders(exchange);
            byte[] body = exchange.getRequestBody().readAllBytes();
            String contentType = first(headers, "content-type");
            String encoding = first(headers, "content-encoding");

            String rejection = null;
            int status = 200;
            ExportTraceServiceRequest export = null;
            if (!TRACES_PATH.equals(path)) {
                status = 404;
                rejection = "unknown path";
            } else if (!"POST".equals(method)) {
                status = 405;
                rejection = "method not allowed";
            } else if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith(PROTOBUF)) {
                status = 415;
                rejection = "content type " + contentType;
            } else if (encoding != null && !encoding.equalsIgnoreCase("gzip")
                    && !encoding.equalsIgnoreCase("identity")) {
                status = 415;
                rejection = "content encoding " + encoding;
            } else {
                try {
                    export = ExportTraceServiceRequest.parseFrom(decode(body, encoding));
                } catch (IOException e) {
                    status = 400;
                    rejection = "undecodable body (" + body.length + " bytes): " + e;
                }
            }

            // Recorded before answering, so a sender that saw the answer also finds its request recorded.
            record(new ReceivedRequest(method, path, headers, status, export, rejection));
            if (export != null) {
                exchange.getResponseHeaders().set("Content-Type", PROTOBUF);
                // An empty message is zero bytes; -1 sends Content-Length: 0 rather than a chunked body.
                exchange.sendResponseHeaders(200, EMPTY_RESPONSE.length == 0 ? -1 : EMPTY_RESPONSE.length);
                exchange.getResponseBody().write(EMPTY_RESPONSE);
            } else {
                exchange.sendResponseHeaders(status, -1);
            }
        }
    }

    private static byte[] decode(byte[] body, String encoding) throws IOException {
        if (encoding == null || !encoding.equalsIgnoreCase("gzip")) {
            return body;
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new InvalidProtocolBufferException("gzip: " + e.getMessage());
        }
    }

    private void record(ReceivedRequest request) {
        lock.lock();
        try {
            all.add(request);
            received.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static Map<String, List<String>> lowerCaseHeaders(HttpExchange exchange) {
        Map<String, List<String>> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) ->
                headers.merge(name.toLowerCase(Locale.ROOT), List.copyOf(values), (a, b) -> {
                    List<String> merged = new ArrayList<>(a);
                    merged.addAll(b);
                    return List.copyOf(merged);
                }));
        return Collections.unmodifiableMap(headers);
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    @Override
    public String toString() {
        return "OtlpHttpReceiver at " + endpoint();
    }
}
