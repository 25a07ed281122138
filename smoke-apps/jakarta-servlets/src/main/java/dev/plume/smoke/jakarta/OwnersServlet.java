package dev.plume.smoke.jakarta;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Mapped at {@code /owners/*}; parses {@code /owners/<ownerId>} and {@code /owners/<ownerId>/pets/<petId>} from the
 * path itself, as servlet apps without a framework do, so the container knows no route template.
 */
public final class OwnersServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String pathInfo = request.getPathInfo();
        String[] segments = pathInfo == null ? new String[0] : pathInfo.substring(1).split("/", -1);
        if (segments.length == 1 && !segments[0].isEmpty()) {
            PlainText.send(response, HttpServletResponse.SC_OK, "owner " + segments[0]);
        } else if (segments.length == 3 && !segments[0].isEmpty() && "pets".equals(segments[1])
                && !segments[2].isEmpty()) {
            PlainText.send(response, HttpServletResponse.SC_OK, "owner " + segments[0] + " pet " + segments[2]);
        } else {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }
}
