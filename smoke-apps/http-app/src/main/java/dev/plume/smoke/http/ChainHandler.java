package dev.plume.smoke.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletionException;

/**
 * Answers with the body of a nested call to one of the app's own paths ({@code /hello}, or {@code /headers} for
 * {@code /chain-headers}), made synchronously or asynchronously; or with a given client and headers of the app's own
 * ({@code /chain-redirect}, {@code /chain-own-traceparent}).
 */
final class ChainHandler implements HttpHandler {

    private final HttpApp app;
    private final HttpClient client;
    private final boolean async;
    private final String target;
    /** Headers the app sets on the nested request itself, as name, value pairs. */
    private final String[] headers;

    ChainHandler(HttpApp app, boolean async) {
        this(app, async, "/hello");
    }

    ChainHandler(HttpApp app, boolean async, String target) {
        this.app = app;
        this.client = null;
        this.async = async;
        this.target = target;
        this.headers = new String[0];
    }

    /** A synchronous call with {@code client} (one that follows redirects, say), with the app's own headers. */
    ChainHandler(HttpApp app, HttpClient client, String target, String... headers) {
        this.app = app;
        this.client = client;
        this.async = false;
        this.target = target;
        this.headers = headers;
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
        if (client != null) {
            HttpRequest.Builder request = app.ownRequestBuilder(target);
            for (int i = 0; i + 1 < headers.length; i += 2) {
                request.header(headers[i], headers[i + 1]);
            }
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        return app.client().send(app.ownRequest(target), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> callAsync() {
        return app.client().sendAsync(app.ownRequest(target), HttpResponse.BodyHandlers.ofString()).join();
    }
}
