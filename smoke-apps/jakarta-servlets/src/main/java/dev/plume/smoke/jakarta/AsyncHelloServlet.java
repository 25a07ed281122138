package dev.plume.smoke.jakarta;

import dev.plume.smoke.selfcalls.OwnHelloClient;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Starts an async request and returns; a thread of the app's executor makes the {@code /hello} call, writes the
 * response and completes it, so the request ends on a thread other than the one it started on (before or after
 * {@code doGet} returns).
 */
public final class AsyncHelloServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient OwnHelloClient client;
    private final transient Executor executor;

    private final boolean completesFirst;

    /**
     * @param completesFirst whether {@code doGet} waits for the other thread to complete the request before it returns
     *                       (the order a fast downstream call gives), instead of returning at once
     */
    public AsyncHelloServlet(OwnHelloClient client, Executor executor, boolean completesFirst) {
        this.client = client;
        this.executor = executor;
        this.completesFirst = completesFirst;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
        AsyncContext async = request.startAsync();
        CompletableFuture<Void> completed = CompletableFuture.runAsync(() -> {
            HttpServletResponse asyncResponse = (HttpServletResponse) async.getResponse();
            try {
                PlainText.send(asyncResponse, HttpServletResponse.SC_OK, client.hello());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                sendFailure(asyncResponse);
            } catch (IOException e) {
                sendFailure(asyncResponse);
            } finally {
                async.complete();
            }
        }, executor);
        if (completesFirst) {
            completed.join();
        }
    }

    private void sendFailure(HttpServletResponse response) {
        try {
            PlainText.send(response, HttpServletResponse.SC_BAD_GATEWAY, "downstream call failed");
        } catch (IOException e) {
            log("could not answer the failed downstream call", e);
        }
    }
}
