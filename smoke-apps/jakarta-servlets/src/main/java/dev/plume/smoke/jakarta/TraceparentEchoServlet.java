package dev.plume.smoke.jakarta;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Answers with the request's {@code traceparent} header, or {@code none}, so a test sees what the app received. */
public final class TraceparentEchoServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String traceparent = request.getHeader("traceparent");
        PlainText.send(response, HttpServletResponse.SC_OK, traceparent == null ? "none" : traceparent);
    }
}
