package dev.plume.instrumentation.springwebmvc;

import dev.plume.bootstrap.http.HttpSpans;
import jakarta.servlet.http.HttpServletRequest;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into {@code DispatcherServlet#getHandler}: once a handler mapping has matched, the request carries the
 * pattern it matched ({@code /owners/{ownerId}}, not the path); that, after the context path, is the request's route.
 */
public final class HandlerRouteAdvice {
    /** {@code HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE}. */
    static final String BEST_MATCHING_PATTERN = "org.springframework.web.servlet.HandlerMapping.bestMatchingPattern";

    private HandlerRouteAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    public static void exit(@Advice.Argument(0) HttpServletRequest request) {
        Object pattern = request.getAttribute(BEST_MATCHING_PATTERN);
        if (pattern instanceof String) {
            String contextPath = request.getContextPath();
            HttpSpans.serverRoute(contextPath == null || contextPath.isEmpty() ? (String) pattern
                : contextPath + pattern);
        }
    }
}
