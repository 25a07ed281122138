package dev.plume.smoke.log4j;

import com.sun.net.httpserver.HttpServer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A JDK HTTP server that logs with Log4j 2 (pattern: {@code %X{trace_id} %X{span_id} %X{trace_flags}}).
 * {@code GET /log} logs one line on the request thread and one from a task it hands to a thread pool (and waits for);
 * a line is logged at start, outside any request. System properties: {@code app.port} (default 0).
 */
public final class Log4jApp {
    private static final Logger LOG = LogManager.getLogger(Log4jApp.class);

    private Log4jApp() {
    }

    public static void main(String[] args) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.getInteger("app.port", 0)), 64);
        server.createContext("/log", exchange -> {
            LOG.info("handled /log");
            try {
                pool.submit(() -> LOG.info("from the pool")).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("the pool task failed: " + e);
            }
            byte[] body = "logged".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        LOG.info("ready on port {}", server.getAddress().getPort());
        System.out.println("LISTENING " + server.getAddress().getPort());
        System.out.flush();
    }
}
