package dev.plume.smoke.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;

/** Serves {@code /users/{id}} from the single context {@code /users}, so the route differs from the path. */
final class UsersHandler implements HttpHandler {

    private static final String PREFIX = "/users/";

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (!HttpApp.requireGet(exchange)) {
            return;
        }
        String path = exchange.getRequestURI().getPath();
        if (path.startsWith(PREFIX) && path.length() > PREFIX.length()) {
            HttpApp.respond(exchange, 200, "user " + path.substring(PREFIX.length()));
        } else {
            HttpApp.respond(exchange, 200, "users");
        }
    }
}
