package dev.plume.tests.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP trace receiver for load runs: unlike the test receiver it keeps nothing, it counts requests, bytes and
 * spans. Every request's spans are counted by walking its protobuf fields ({@link ProtobufSpanCounter}), which costs
 * little next to the exporter it measures; one request in {@code decodeEvery} is also parsed with opentelemetry-proto
 * (what a backend does, and proof the agent sent valid OTLP), and answered 400 and counted as rejected if it does not
 * parse or its span count differs from the walk's. {@code decodeEvery} 1 parses every request (the suite's receiver
 * before 2026-12-02, whose parsing cost the shared cores ~1.2 µs per span, charged to the agent that sent it,
 * BENCHMARKS.md); 0 parses none.
 * {@code GET /stats} answers {@code requests spans bytes rejected decoded}.
 *
 * <p>Run as a program ({@code [--decode-every N]}, 1 by default; {@code --count-only} is 0) it prints
 * {@code LISTENING <port>} and serves until its stdin closes.
 */
public final class CountingOtlpReceiver implements AutoCloseable {

    private static final byte[] EMPTY = new byte[0];

    private final HttpServer server;
    private final ExecutorService executor;
    private final int decodeEvery;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong spans = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong decoded = new AtomicLong();

    private CountingOtlpReceiver(HttpServer server, ExecutorService executor, int decodeEvery) {
        this.server = server;
        this.executor = executor;
        this.decodeEvery = decodeEvery;
    }

    /** @param decodeEvery parse one request in this many with opentelemetry-proto (1: all, 0: none) */
    public static CountingOtlpReceiver start(int port, int decodeEvery) {
        if (decodeEvery < 0) {
            throw new IllegalArgumentException("decodeEvery must be 0 (none) or more, not " + decodeEvery);
        }
        // read once, when the JDK server's configuration class loads: without it small answers wait for Nagle
        System.setProperty("sun.net.httpserver.nodelay", "true");
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 64);
            ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
                Thread thread = new Thread(runnable, "counting-otlp-receiver");
                thread.setDaemon(true);
                return thread;
            });
            CountingOtlpReceiver receiver = new CountingOtlpReceiver(server, executor, decodeEvery);
            server.createContext("/", receiver::handle);
            server.setExecutor(executor);
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> arguments = Arrays.asList(args);
        int every = arguments.indexOf("--decode-every");
        int decodeEvery = arguments.contains("--count-only") ? 0
                : every >= 0 ? Integer.parseInt(arguments.get(every + 1)) : 1;
        CountingOtlpReceiver receiver = start(0, decodeEvery);
        receiver.warmUp(8_000, 20_000);
        System.out.println("LISTENING " + receiver.port());
        System.out.flush();
        CountDownLatch stdinClosed = new CountDownLatch(1);
        Thread watcher = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // only the end of the stream matters
                }
            } catch (IOException e) {
                // a broken stdin means the parent is gone
            }
            stdinClosed.countDown();
        }, "stdin-watcher");
        watcher.setDaemon(true);
        watcher.start();
        stdinClosed.await();
        receiver.close();
    }

    /**
     * Posts small synthetic OTLP requests to itself for {@code millis} (at most {@code maxRequests}), then forgets them.
     * An agent at an application's rate sends ~10 requests a second, too few for the JIT to compile this JVM's request
     * path within a run (C2 wants thousands of calls): interpreted, answering one request took ~0.3 ms for its
     * {@code Date} header alone, and the receiver cost ~1 µs of CPU per span counted, charged to the agent being
     * measured. A warm backend is what the suite means to stand in for.
     */
    void warmUp(long millis, int maxRequests) throws IOException, InterruptedException {
        ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
        ResourceSpans.Builder resource = request.addResourceSpansBuilder().setResource(Resource.newBuilder()
                .addAttributes(stringAttribute("service.name", "receiver-warm-up")));
        ScopeSpans.Builder scope = resource.addScopeSpansBuilder()
                .setScope(InstrumentationScope.newBuilder().setName("warm-up").setVersion("1"));
        for (int i = 0; i < 16; i++) {
            scope.addSpans(Span.newBuilder().setTraceId(ByteString.copyFrom(new byte[16]))
                    .setSpanId(ByteString.copyFrom(new byte[8])).setName("GET /warm-up/" + (i % 7))
                    .setKind(Span.SpanKind.SPAN_KIND_SERVER).setStartTimeUnixNano(i).setEndTimeUnixNano(i + 1000L)
                    .addAttributes(stringAttribute("http.request.method", "GET"))
                    .addAttributes(stringAttribute("url.path", "/warm-up/" + i))
                    .addAttributes(KeyValue.newBuilder().setKey("http.response.status_code")
                            .setValue(AnyValue.newBuilder().setIntValue(200))));
        }
        byte[] body = request.build().toByteArray();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest post = HttpRequest.newBuilder(URI.create(endpoint() + "/v1/traces"))
                .header("Content-Type", "application/x-protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        long deadline = System.nanoTime() + millis * 1_000_000;
        for (int i = 0; i < maxRequests && System.nanoTime() < deadline; i++) {
            int status = client.send(post, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status != 200) {
                throw new IllegalStateException("the receiver refused its own warm-up request: " + status);
            }
        }
        requests.set(0);
        spans.set(0);
        bytes.set(0);
        rejected.set(0);
        decoded.set(0);
    }

    private static KeyValue stringAttribute(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    public long requests() {
        return requests.get();
    }

    public long spans() {
        return spans.get();
    }

    public long bytes() {
        return bytes.get();
    }

    public long rejected() {
        return rejected.get();
    }

    /** Requests also parsed with opentelemetry-proto. */
    public long decoded() {
        return decoded.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            byte[] body = exchange.getRequestBody().readAllBytes();
            if ("GET".equals(exchange.getRequestMethod()) && path.equals("/stats")) {
                byte[] stats = (requests() + " " + spans() + " " + bytes() + " " + rejected() + " " + decoded() + "\n")
                        .getBytes(StandardCharsets.US_ASCII);
                exchange.sendResponseHeaders(200, stats.length);
                exchange.getResponseBody().write(stats);
                return;
            }
            if (!path.equals("/v1/traces")) {
                // metrics or logs from an agent that was not told to keep them off: accepted, not counted
                rejected.incrementAndGet();
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            long count;
            try {
                byte[] message = "gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))
                        ? gunzip(body) : body;
                count = ProtobufSpanCounter.count(message);
                if (decodeEvery > 0 && requests.get() % decodeEvery == 0) {
                    long parsed = decodedSpanCount(message);
                    if (parsed != count) {
                        throw new IOException("opentelemetry-proto counts " + parsed + " spans, the walk " + count);
                    }
                    decoded.incrementAndGet();
                }
            } catch (IOException | RuntimeException e) {
                rejected.incrementAndGet();
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            requests.incrementAndGet();
            bytes.addAndGet(body.length);
            spans.addAndGet(count);
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
            exchange.getResponseBody().write(EMPTY);
        }
    }

    private static long decodedSpanCount(byte[] message) throws IOException {
        long count = 0;
        for (ResourceSpans resourceSpans : ExportTraceServiceRequest.parseFrom(message).getResourceSpansList()) {
            for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
                count += scopeSpans.getSpansCount();
            }
        }
        return count;
    }

    private static byte[] gunzip(byte[] body) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        }
    }
}
