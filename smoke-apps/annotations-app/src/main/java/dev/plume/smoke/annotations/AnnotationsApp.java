package dev.plume.smoke.annotations;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A small service on the JDK's HTTP server whose own methods carry {@code @WithSpan} (the newest annotations and the
 * older extension ones) and are named in {@code otel.instrumentation.methods.include}; each path runs one case.
 *
 * <p>System properties: {@code app.port} (default 0, an ephemeral port) and {@code app.exit.on.stdin.eof}.
 */
public final class AnnotationsApp {
    private AnnotationsApp() {
    }

    public static void main(String[] args) throws Exception {
        ScheduledExecutorService completer = Executors.newSingleThreadScheduledExecutor(
            runnable -> new Thread(runnable, "annotations-app-completer"));
        ExecutorService workers = Executors.newFixedThreadPool(4);
        Orders orders = new Orders(new Inventory());
        Mailer mailer = new Mailer(completer);
        PaymentGateway payments = new CardGateway(new Audit());
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"),
            Integer.getInteger("app.port", 0)), 0);
        server.createContext("/sync", exchange -> respond(exchange, 200,
            "placed " + orders.place("book", 3, 12.5, true, List.of("gift", "express"), new long[] {7, 8},
                new Customer("ann"))));
        server.createContext("/throws", exchange -> {
            try {
                orders.cancel("o-1");
                respond(exchange, 200, "cancelled");
            } catch (IllegalStateException e) {
                respond(exchange, 409, "not cancelled: " + e.getMessage());
            }
        });
        server.createContext("/root", exchange -> respond(exchange, 200, "job " + orders.nightlyReport()));
        server.createContext("/kinds", exchange -> {
            orders.publish("order-placed");
            new LegacyService().lookup("sku-9");
            orders.unlisted();
            respond(exchange, 200, "published");
        });
        // the future completes on another thread, 300 ms after the method returned; the body says when
        server.createContext("/async", exchange -> {
            long completedAtMillis = mailer.send("ann@example.com").join();
            respond(exchange, 200, "sent " + completedAtMillis);
        });
        server.createContext("/async-fails", exchange -> {
            try {
                mailer.bounce("nobody@example.com").toCompletableFuture().join();
                respond(exchange, 200, "delivered");
            } catch (RuntimeException e) {
                respond(exchange, 502, "bounced");
            }
        });
        server.createContext("/methods", exchange -> respond(exchange, 200, "charged "
            + payments.charge("card-1", 2500)));
        server.setExecutor(workers);
        server.start();
        System.out.println("LISTENING " + server.getAddress().getPort());
        System.out.flush();
        if (Boolean.getBoolean("app.exit.on.stdin.eof")) {
            Thread watcher = new Thread(() -> {
                try (InputStream in = System.in) {
                    while (in.read() >= 0) {
                        // only the end of the stream matters
                    }
                } catch (IOException e) {
                    // a broken stdin: the parent is gone
                }
                server.stop(0);
                System.exit(0);
            }, "annotations-app-stdin-watcher");
            watcher.setDaemon(true);
            watcher.start();
        }
    }

    /** Sends a plain-text response and closes the exchange. */
    static void respond(HttpExchange exchange, int status, String body) throws IOException {
        try (exchange) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }
}
