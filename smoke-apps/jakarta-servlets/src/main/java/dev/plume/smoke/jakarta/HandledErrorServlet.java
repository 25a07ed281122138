package dev.plume.smoke.jakarta;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Looks up an owner that does not exist and answers the exception itself with 404: the container never sees it. */
public final class HandledErrorServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            PlainText.send(response, HttpServletResponse.SC_OK, findOwner());
        } catch (OwnerNotFoundException e) {
            PlainText.send(response, HttpServletResponse.SC_NOT_FOUND, "owner not found");
        }
    }

    private static String findOwner() {
        throw new OwnerNotFoundException("no owner is registered at /handled");
    }
}
