package dev.plume.tests.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP trace receiver for load runs: unlike the test receiver it keeps nothing, it counts requests, bytes and
 * spans. In {@code decode} mode every request is parsed with opentelemetry-proto (what a backend does, and proof the
 * agent sent valid OTLP); otherwise spans are counted by walking the protobuf fields, so the receiver costs little
 * next to the exporter it measures. {@code GET /stats} answers {@code requests spans bytes rejected}.
 *
 * <p>Run as a program it prints {@code LISTENING <port>} and serves until its stdin closes.
 */
public final class CountingOtlpReceiver implements AutoCloseable {

    private static final byte[] EMPTY = new byte[0];

    private final HttpServer server;
    private final ExecutorService executor;
    private final boolean decode;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong spans = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();

    private CountingOtlpReceiver(HttpServer server, ExecutorService executor, boolean decode) {
        this.server = server;
        this.executor = executor;
        this.decode = decode;
    }

    public static CountingOtlpReceiver start(int port, boolean decode) {
        // read once, when the JDK server's configuration class loads: without it small answers wait for Nagle
        System.setProperty("sun.net.httpserver.nodelay", "true");
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 64);
            ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
                Thread thread = new Thread(runnable, "counting-otlp-receiver");
                thread.setDaemon(true);
                return thread;
            });
            CountingOtlpReceiver receiver = new CountingOtlpReceiver(server, executor, decode);
            server.createContext("/", receiver::handle);
            server.setExecutor(executor);
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void main(String[] args) throws Exception {
        boolean decode = !java.util.Arrays.asList(args).contains("--count-only");
        CountingOtlpReceiver receiver = start(0, decode);
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
                byte[] stats = (requests() + " " + spans() + " " + bytes() + " " + rejected() + "\n")
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
                count = decode ? decodedSpanCount(message) : ProtobufSpanCounter.count(message);
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
