package dev.plume.smoke.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP service on the JDK's own server and client, which smoke tests run under the agent.
 *
 * <p>System properties: {@code app.port} (default 0, an ephemeral port) and {@code app.exit.on.stdin.eof}
 * (default false). Argument {@code --demo} makes the app call its own endpoints a few times and exit.
 */
public final class HttpApp {

    static final String HOST = "127.0.0.1";
    private static final int WORKER_THREADS = 4;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final HttpServer server;
    private final ExecutorService workers;
    private final HttpClient client;

    private HttpApp(HttpServer server, ExecutorService workers, HttpClient client) {
        this.server = server;
        this.workers = workers;
        this.client = client;
    }

    public static void main(String[] args) throws Exception {
        boolean demo = Arrays.asList(args).contains("--demo");
        HttpApp app = start(Integer.getInteger("app.port", 0));
        PrintStream out = System.out;
        out.println("LISTENING " + app.port());
        out.flush();

        if (demo) {
            boolean allAsExpected = app.runDemo(out);
            // Give the agent's exporter a moment before exit; System.exit runs its shutdown flush.
            Thread.sleep(1000);
            System.exit(allAsExpected ? 0 : 1);
        }
        if (Boolean.getBoolean("app.exit.on.stdin.eof")) {
            exitWhenStdinCloses(app);
        }
        // Otherwise the server's non-daemon worker threads keep the JVM alive until it is killed.
    }

    static HttpApp start(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(HOST), port), 0);
        ExecutorService workers = Executors.newFixedThreadPool(WORKER_THREADS, namedThreads("http-app-worker-"));
        // HTTP/1.1 only: the client would otherwise try an h2c upgrade the JDK server does not speak.
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        HttpApp app = new HttpApp(server, workers, client);

        server.createContext("/hello", exchange -> {
            if (requireGet(exchange)) {
                respond(exchange, 200, "hello");
            }
        });
        server.createContext("/chain", new ChainHandler(app, false));
        server.createContext("/chain-async", new ChainHandler(app, true));
        // what a downstream service receives: the context propagation headers of the request, one per line
        server.createContext("/headers", exchange -> {
            if (requireGet(exchange)) {
                StringBuilder received = new StringBuilder();
                for (String name : new String[] {"traceparent", "tracestate", "baggage", "b3", "X-B3-TraceId",
                    "X-B3-SpanId", "X-B3-Sampled"}) {
                    java.util.List<String> values = exchange.getRequestHeaders().get(name);
                    if (values != null) {
                        received.append(name.toLowerCase(java.util.Locale.ROOT)).append(": ")
                            .append(String.join(",", values)).append('\n');
                    }
                }
                respond(exchange, 200, received.toString());
            }
        });
        server.createContext("/chain-headers", new ChainHandler(app, false, "/headers"));
        server.createContext("/fail", exchange -> {
            if (requireGet(exchange)) {
                respond(exchange, 500, "failure");
            }
        });
        // a redirect to the path in ?to=, and chains whose call follows one, or sets its own traceparent
        server.createContext("/redirect", exchange -> {
            String query = exchange.getRequestURI().getRawQuery();
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                exchange.getResponseHeaders().set("Location", query != null && query.startsWith("to=")
                        ? query.substring(3) : "/hello");
                exchange.sendResponseHeaders(302, -1);
            }
        });
        HttpClient following = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        server.createContext("/chain-redirect", new ChainHandler(app, following, "/redirect?to=/headers"));
        server.createContext("/chain-own-traceparent", new ChainHandler(app, app.client(), "/headers",
                "traceparent", "00-11111111111111111111111111111111-2222222222222222-01"));
        // /chain with the header an agent would add set by the app itself: what carrying it costs the JDK's client and
        // server, with no agent (BENCHMARKS.md)
        server.createContext("/chain-with-traceparent", new ChainHandler(app, app.client(), "/hello",
                "traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
        server.createContext("/users", new UsersHandler());
        server.createContext("/debug/allocated", new AllocatedBytesHandler());
        server.setExecutor(workers);
        server.start();
        return app;
    }

    int port() {
        return server.getAddress().getPort();
    }

    HttpClient client() {
        return client;
    }

    /** Builds a GET to one of this app's own paths, e.g. {@code /hello} or {@code /users/7?verbose=true}. */
    HttpRequest ownRequest(String pathAndQuery) {
        return ownRequestBuilder(pathAndQuery).build();
    }

    /** The builder of {@link #ownRequest}, for a request with more headers. */
    HttpRequest.Builder ownRequestBuilder(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + port() + pathAndQuery))
                .timeout(REQUEST_TIMEOUT)
                .GET();
    }

    void stop() {
        server.stop(0);
        workers.shutdownNow();
    }

    /** Calls the app's own endpoints once each way; returns whether every answer was the expected one. */
    private boolean runDemo(PrintStream out) {
        List<DemoCall> calls = List.of(
                new DemoCall("/chain", 200, "hello"),
                new DemoCall("/chain", 200, "hello"),
                new DemoCall("/chain-async", 200, "hello"),
                new DemoCall("/fail", 500, "failure"),
                new DemoCall("/users/7?verbose=true", 200, "user 7"));
        boolean allAsExpected = true;
        for (DemoCall call : calls) {
            try {
                HttpResponse<String> response = client.send(ownRequest(call.pathAndQuery()),
                        HttpResponse.BodyHandlers.ofString());
                boolean expected = response.statusCode() == call.status() && call.body().equals(response.body());
                allAsExpected &= expected;
                out.println("DEMO GET " + call.pathAndQuery() + " -> " + response.statusCode() + " "
                        + response.body() + (expected ? "" : " (unexpected)"));
            } catch (IOException | RuntimeException e) {
                allAsExpected = false;
                out.println("DEMO GET " + call.pathAndQuery() + " -> failed: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            out.flush();
        }
        return allAsExpected;
    }

    private static void exitWhenStdinCloses(HttpApp app) {
        Thread watcher = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // Input is ignored; only the end of the stream matters.
                }
            } catch (IOException e) {
                // A broken stdin means the parent is gone, which is the same signal as EOF.
            }
            app.stop();
            System.exit(0);
        }, "http-app-stdin-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    /** Answers 405 to anything but GET; returns whether the handler should go on. */
    static boolean requireGet(HttpExchange exchange) throws IOException {
        if ("GET".equals(exchange.getRequestMethod())) {
            return true;
        }
        exchange.getResponseHeaders().set("Allow", "GET");
        respond(exchange, 405, "method not allowed");
        return false;
    }

    /** Sends a complete plain-text response and closes the exchange. */
    static void respond(HttpExchange exchange, int status, String body) throws IOException {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    private static ThreadFactory namedThreads(String prefix) {
        AtomicInteger next = new AtomicInteger(1);
        return runnable -> new Thread(runnable, prefix + next.getAndIncrement());
    }

    private record DemoCall(String pathAndQuery, int status, String body) {
    }
}
