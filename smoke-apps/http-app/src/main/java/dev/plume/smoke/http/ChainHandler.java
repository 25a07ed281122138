package dev.plume.smoke.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletionException;

/**
 * Answers with the body of a nested call to one of the app's own paths ({@code /hello}, or {@code /headers} for
 * {@code /chain-headers}), made synchronously or asynchronously.
 */
final class ChainHandler implements HttpHandler {

    private final HttpApp app;
    private final boolean async;
    private final String target;

    ChainHandler(HttpApp app, boolean async) {
        this(app, async, "/hello");
    }

    ChainHandler(HttpApp app, boolean async, String target) {
        this.app = app;
        this.async = async;
        this.target = target;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (!HttpApp.requireGet(exchange)) {
            return;
        }
        HttpResponse<String> downstream;
        try {
            downstream = async ? callAsync() : callSync();
        } catch (IOException | CompletionException e) {
            HttpApp.respond(exchange, 502, "downstream call failed: " + e);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            HttpApp.respond(exchange, 503, "interrupted");
            return;
        }
        if (downstream.statusCode() == 200) {
            HttpApp.respond(exchange, 200, downstream.body());
        } else {
            HttpApp.respond(exchange, 502, "downstream answered " + downstream.statusCode());
        }
    }

    private HttpResponse<String> callSync() throws IOException, InterruptedException {
        return app.client().send(app.ownRequest(target), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> callAsync() {
        return app.client().sendAsync(app.ownRequest(target), HttpResponse.BodyHandlers.ofString()).join();
    }
}
