package dev.plume.smoke.jakarta;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Names the app in an {@code X-Served-By} header, so every request passes a filter chain as in most servlet apps. */
public final class ServedByFilter implements Filter {

    private final String appName;

    public ServedByFilter(String appName) {
        this.appName = appName;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        ((HttpServletResponse) response).setHeader("X-Served-By", appName);
        chain.doFilter(request, response);
    }
}
