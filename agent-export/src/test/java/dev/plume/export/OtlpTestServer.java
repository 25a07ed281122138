package dev.plume.export;

import com.google.protobuf.CodedOutputStream;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
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

    /** One scripted answer: status, body, content type and extra response headers. */
    public record Answer(int status, byte[] body, String contentType, Map<String, String> headers) {
    }

    private final HttpServer server;
    private final java.util.concurrent.ConcurrentLinkedDeque<Answer> script =
        new java.util.concurrent.ConcurrentLinkedDeque<>();
    private volatile long delayMillis;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<Received> accepted = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile byte[] responseBody = new byte[0];
    private volatile String responseContentType = "application/x-protobuf";

    public OtlpTestServer() throws IOException {
        this(0);
    }

    /** A receiver on this port of 127.0.0.1 (0: any free port). */
    public OtlpTestServer(int port) throws IOException {
        this(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0));
    }

    /** An HTTPS (HTTP/1.1 over TLS) receiver; with {@code needClientAuth}, only clients with a trusted certificate. */
    public OtlpTestServer(javax.net.ssl.SSLContext tls, boolean needClientAuth) throws IOException {
        this(https(tls, needClientAuth));
    }

    private OtlpTestServer(HttpServer server) {
        this.server = server;
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "otlp-test-server");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
    }

    private static HttpServer https(javax.net.ssl.SSLContext tls, boolean needClientAuth) throws IOException {
        com.sun.net.httpserver.HttpsServer server = com.sun.net.httpserver.HttpsServer.create(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls) {
            @Override
            public void configure(com.sun.net.httpserver.HttpsParameters params) {
                javax.net.ssl.SSLParameters parameters = tls.getDefaultSSLParameters();
                parameters.setNeedClientAuth(needClientAuth);
                params.setSSLParameters(parameters);
            }
        });
        return server;
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
        Received request = new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
            Map.copyOf(exchange.getRequestHeaders()), raw, body);
        received.add(request);
        long delay = delayMillis;
        if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Answer scripted = script.pollFirst();
        byte[] answer = scripted != null ? scripted.body() : responseBody;
        exchange.getResponseHeaders().set("Content-Type", scripted != null ? scripted.contentType()
            : responseContentType);
        if (scripted != null) {
            scripted.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        }
        int answerStatus = scripted != null ? scripted.status() : status;
        if (answerStatus >= 200 && answerStatus < 300) {
            accepted.add(request);
        }
        exchange.sendResponseHeaders(answerStatus, answer.length == 0 ? -1 : answer.length);
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

    /** Answers the next requests with these, in order, then as {@link #respondWith} says. */
    public void script(Answer... answers) {
        script.addAll(List.of(answers));
    }

    /** Waits this long before answering each request. */
    public void delay(long millis) {
        delayMillis = millis;
    }

    /** The base endpoint, as {@code otel.exporter.otlp.endpoint} takes it. */
    public String endpoint() {
        return (server instanceof com.sun.net.httpserver.HttpsServer ? "https" : "http") + "://127.0.0.1:"
            + server.getAddress().getPort();
    }

    public List<Received> received() {
        return received;
    }

    /** The requests answered with a 2xx status, in arrival order. */
    public List<Received> accepted() {
        return accepted;
    }

    /** The names of the spans in the requests answered with a 2xx status, in arrival order. */
    public List<String> acceptedSpanNames() {
        List<String> names = new java.util.ArrayList<>();
        for (Received request : accepted) {
            try {
                request.request().getResourceSpansList().forEach(r -> r.getScopeSpansList()
                    .forEach(s -> s.getSpansList().forEach(span -> names.add(span.getName()))));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return names;
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

    /** A {@code google.rpc.Status} body, as OTLP servers send with errors: code = 1, message = 2. */
    public static byte[] rpcStatus(int code, String message) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeInt32(1, code);
        out.writeString(2, message);
        out.flush();
        return bytes.toByteArray();
    }
}
