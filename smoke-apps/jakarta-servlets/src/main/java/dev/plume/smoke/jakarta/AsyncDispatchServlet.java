package dev.plume.smoke.jakarta;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.concurrent.Executor;

/**
 * Computes its answer on the app's executor, then dispatches the request back into the container, which calls this
 * servlet a second time (dispatcher type ASYNC) to write it: the shape of a Spring MVC {@code Callable}.
 */
public final class AsyncDispatchServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final String RESULT_ATTRIBUTE = AsyncDispatchServlet.class.getName() + ".result";

    private final transient Executor executor;

    public AsyncDispatchServlet(Executor executor) {
        this.executor = executor;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (request.getDispatcherType() == DispatcherType.ASYNC) {
            PlainText.send(response, HttpServletResponse.SC_OK, (String) request.getAttribute(RESULT_ATTRIBUTE));
            return;
        }
        AsyncContext async = request.startAsync();
        executor.execute(() -> {
            async.getRequest().setAttribute(RESULT_ATTRIBUTE, "deferred");
            async.dispatch();
        });
    }
}
