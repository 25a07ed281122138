package dev.plume.smoke.jakarta;

import dev.plume.smoke.selfcalls.CrossThreadCalls;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** Answers with the body of a {@code /hello} call made on another thread, one path per JDK concurrency API. */
public final class CrossThreadServlet extends HttpServlet {

    public static final String[] PATHS = {"/executor", "/scheduled", "/invoke-all", "/fork-join", "/future", "/virtual"};

    private static final long serialVersionUID = 1L;

    private final transient CrossThreadCalls calls;

    public CrossThreadServlet(CrossThreadCalls calls) {
        this.calls = calls;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        try {
            Optional<String> body = call(request.getServletPath());
            if (body.isPresent()) {
                PlainText.send(response, HttpServletResponse.SC_OK, body.get());
            } else {
                PlainText.send(response, HttpServletResponse.SC_NOT_IMPLEMENTED, "no virtual threads");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServletException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new ServletException("the downstream call failed", e);
        }
    }

    private Optional<String> call(String path) throws InterruptedException, ExecutionException, TimeoutException {
        switch (path) {
            case "/executor":
                return Optional.of(calls.viaExecutor());
            case "/scheduled":
                return Optional.of(calls.viaScheduledExecutor());
            case "/invoke-all":
                return Optional.of(calls.viaInvokeAll());
            case "/fork-join":
                return Optional.of(calls.viaForkJoinPool());
            case "/future":
                return Optional.of(calls.viaCompletableFuture());
            case "/virtual":
                return calls.viaVirtualThread();
            default:
                throw new IllegalArgumentException("not mapped to this servlet: " + path);
        }
    }
}
