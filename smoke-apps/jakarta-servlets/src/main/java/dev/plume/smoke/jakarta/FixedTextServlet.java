package dev.plume.smoke.jakarta;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Answers GET with 200 and the same body every time: {@code /hello}, {@code /health}. */
public final class FixedTextServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final String body;

    public FixedTextServlet(String body) {
        this.body = body;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        PlainText.send(response, HttpServletResponse.SC_OK, body);
    }
}
