package dev.plume.bootstrap.http;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * {@code http.route} for a servlet request that no framework routed: the pattern of the servlet mapping that matched
 * ({@code /owners/*}), after the context path. The default servlet ({@code /}) gives no route. Servlet 3.x has no
 * {@code getHttpServletMapping}; the mapping is looked up through a method handle found once per request class, so the
 * same advice fits Servlet 3.0 (where it finds nothing) and 4.0+.
 */
public final class ServletRoutes {
    private static final MethodHandle NONE = MethodHandles.constant(Object.class, null);
    private static final ClassValue<MethodHandle[]> MAPPING = new ClassValue<>() {
        @Override
        protected MethodHandle[] computeValue(Class<?> requestClass) {
            try {
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                Class<?> request = Class.forName("javax.servlet.http.HttpServletRequest", false,
                    requestClass.getClassLoader());
                Class<?> mapping = Class.forName("javax.servlet.http.HttpServletMapping", false,
                    requestClass.getClassLoader());
                MethodHandle getMapping = lookup.findVirtual(request, "getHttpServletMapping",
                    MethodType.methodType(mapping)).asType(MethodType.methodType(Object.class, Object.class));
                MethodHandle getPattern = lookup.findVirtual(mapping, "getPattern", MethodType.methodType(String.class))
                    .asType(MethodType.methodType(String.class, Object.class));
                return new MethodHandle[] {getMapping, getPattern};
            } catch (ReflectiveOperationException | LinkageError e) {
                return new MethodHandle[] {NONE, null}; // Servlet 3.x: no mappings to read
            }
        }
    };

    private ServletRoutes() {
    }

    /** The route for a mapping pattern; null for the default servlet or an unknown pattern. */
    public static String fromMapping(String contextPath, String pattern) {
        if (pattern == null || pattern.isEmpty() || pattern.equals("/")) {
            return null;
        }
        return contextPath == null || contextPath.isEmpty() ? pattern : contextPath + pattern;
    }

    /** The matched mapping's pattern of a {@code javax.servlet} request on Servlet 4.0+, or null. */
    public static String javaxMappingPattern(Object request) {
        try {
            MethodHandle[] handles = MAPPING.get(request.getClass());
            if (handles[1] == null) {
                return null;
            }
            Object mapping = handles[0].invoke(request);
            return mapping == null ? null : (String) handles[1].invoke(mapping);
        } catch (Throwable t) {
            return null;
        }
    }
}
