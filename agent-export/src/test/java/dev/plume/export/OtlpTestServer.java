package dev.plume.export;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/** A real OTLP/HTTP receiver on 127.0.0.1 and an ephemeral port, answering with a configurable status and body. */
public final class OtlpTestServer implements AutoCloseable {
    /** One request as received: path, headers (names in lower case), raw and decompressed body. */
    public record Received(String method, String path, Map<String, List<String>> headers, byte[] rawBody,
                           byte[] body) {
        public String header(String name) {
            for (Map.Entry<String, List<String>> entry : headers.entrySet()) {
                if (entry.getKey().equalsIgnoreCase(name)) {
                    return entry.getValue().get(0);
                }
            }
            return null;
        }

        public ExportTraceServiceRequest request() throws IOException {
            return ExportTraceServiceRequest.parseFrom(body);
        }

        public int spanCount() throws IOException {
            return request().getResourceSpansList().stream()
                .flatMap(r -> r.getScopeSpansList().stream())
                .mapToInt(s -> s.getSpansCount())
                .sum();
        }
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile byte[] responseBody = new byte[0];
    private volatile String responseContentType = "application/x-protobuf";

    public OtlpTestServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] raw;
        try (InputStream in = exchange.getRequestBody()) {
            raw = in.readAllBytes();
        }
        byte[] body = raw;
        if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
                body = in.readAllBytes();
            }
        }
        received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
            Map.copyOf(exchange.getRequestHeaders()), raw, body));
        byte[] answer = responseBody;
        exchange.getResponseHeaders().set("Content-Type", responseContentType);
        exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
        if (answer.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        }
        exchange.close();
    }

    /** Answers every following request with this status, body and content type. */
    public void respondWith(int status, byte[] body, String contentType) {
        this.responseBody = body;
        this.responseContentType = contentType;
        this.status = status;
    }

    /** The base endpoint, as {@code otel.exporter.otlp.endpoint} takes it. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Received> received() {
        return received;
    }

    /** Waits until at least {@code count} requests arrived (a guard against hangs, not a speed assertion). */
    public List<Received> awaitRequests(int count, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (received.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return received;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
