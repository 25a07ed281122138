package dev.plume.bootstrap.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JDK server's exchange read in place, against a real {@code HttpServer} (its packages opened to the tests as the
 * agent opens them when it instruments the server): the same answers as the public API, and nothing allocated.
 */
class JdkServerExchangeTest {
    private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private HttpServer server;
    private final AtomicReference<Consumer<HttpExchange>> onExchange = new AtomicReference<>();
    private final List<Throwable> failures = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try {
                onExchange.get().accept(exchange);
            } catch (Throwable t) {
                synchronized (failures) {
                    failures.add(t);
                }
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void readsWhatThePublicApiSaysWithoutAllocating() throws Exception {
        onExchange.set(exchange -> {
            Object internal = JdkServerExchange.internalOf(exchange);
            assertNotNull(internal, "the JDK's exchange is read in place");
            JdkServerExchange.Headers headers = JdkServerExchange.read(exchange.getRequestHeaders());
            assertEquals(exchange.getRequestHeaders().getFirst("Host"), headers.host());
            assertEquals("plume-test/1.0", headers.userAgent());
            String[] expected = new String[dev.plume.bootstrap.trace.Propagation.names().length];
            expected[dev.plume.bootstrap.trace.Propagation.indexOf("traceparent")] = TRACEPARENT;
            assertArrayEquals(expected, headers.propagated());
            assertEquals(exchange.getProtocol(), JdkServerExchange.protocol(internal));
            assertEquals(exchange.getRemoteAddress().getAddress(), JdkServerExchange.remoteAddress(internal));

            com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long thread = Thread.currentThread().getId();
            for (int round = 0; round < 20_000; round++) { // warm up: the allocations of a first call are not counted
                read(exchange);
            }
            long before = threads.getThreadAllocatedBytes(thread);
            for (int round = 0; round < 10_000; round++) {
                read(exchange);
            }
            long perRead = (threads.getThreadAllocatedBytes(thread) - before) / 10_000;
            assertEquals(0, perRead, "bytes allocated per exchange read");
        });
        send(HttpRequest.newBuilder(uri()).header("traceparent", TRACEPARENT).header("User-Agent", "plume-test/1.0"));
    }

    @Test
    void noPropagationHeaderGivesNoArrayAndAWrappedExchangeIsNotReadInPlace() throws Exception {
        onExchange.set(exchange -> {
            assertNull(JdkServerExchange.read(exchange.getRequestHeaders()).propagated());
            assertNull(JdkServerExchange.internalOf(new HttpExchange() {
                // an application's wrapper: the advice uses the public API on it
                @Override public Headers getRequestHeaders() { return exchange.getRequestHeaders(); }
                @Override public Headers getResponseHeaders() { return exchange.getResponseHeaders(); }
                @Override public URI getRequestURI() { return exchange.getRequestURI(); }
                @Override public String getRequestMethod() { return exchange.getRequestMethod(); }
                @Override public HttpContext getHttpContext() { return exchange.getHttpContext(); }
                @Override public void close() { }
                @Override public java.io.InputStream getRequestBody() { return exchange.getRequestBody(); }
                @Override public java.io.OutputStream getResponseBody() { return exchange.getResponseBody(); }
                @Override public void sendResponseHeaders(int code, long length) { }
                @Override public InetSocketAddress getRemoteAddress() { return exchange.getRemoteAddress(); }
                @Override public int getResponseCode() { return -1; }
                @Override public InetSocketAddress getLocalAddress() { return exchange.getLocalAddress(); }
                @Override public String getProtocol() { return exchange.getProtocol(); }
                @Override public Object getAttribute(String name) { return null; }
                @Override public void setAttribute(String name, Object value) { }
                @Override public void setStreams(java.io.InputStream i, java.io.OutputStream o) { }
                @Override public com.sun.net.httpserver.HttpPrincipal getPrincipal() { return null; }
            }));
        });
        send(HttpRequest.newBuilder(uri()));
    }

    @Test
    void anHttp10RequestLineGivesTheSameProtocolAsThePublicApi() throws Exception {
        AtomicReference<String> protocols = new AtomicReference<>();
        onExchange.set(exchange -> protocols.set(
            JdkServerExchange.protocol(JdkServerExchange.internalOf(exchange)) + " " + exchange.getProtocol()));
        try (java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(),
            server.getAddress().getPort())) {
            socket.getOutputStream().write("GET /read HTTP/1.0\r\nHost: test\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
            String status = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(status.startsWith("HTTP/1.1 204"), status);
        }
        assertEquals("HTTP/1.0 HTTP/1.0", protocols.get());
        synchronized (failures) {
            assertTrue(failures.isEmpty(), failures::toString);
        }
    }

    private static void read(HttpExchange exchange) {
        JdkServerExchange.read(exchange.getRequestHeaders());
        Object internal = JdkServerExchange.internalOf(exchange);
        JdkServerExchange.protocol(internal);
        JdkServerExchange.remoteAddress(internal);
    }

    private URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/read");
    }

    private void send(HttpRequest.Builder request) throws Exception {
        HttpResponse<Void> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
            .send(request.build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(204, response.statusCode());
        synchronized (failures) {
            if (!failures.isEmpty()) {
                throw new AssertionError(failures.get(0));
            }
        }
    }
}
