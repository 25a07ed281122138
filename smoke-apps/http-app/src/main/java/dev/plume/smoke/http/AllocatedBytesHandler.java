package dev.plume.smoke.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;

/**
 * Serves {@code /debug/allocated}: the bytes allocated so far by the threads that serve requests (the server's
 * dispatcher and workers, the JDK HTTP client's threads), and by every live thread of the process. A benchmark reads it
 * before and after a load run to compute allocation per request, which is how an agent's cost on the application's
 * threads is measured without a profiler.
 */
final class AllocatedBytesHandler implements HttpHandler {

    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (!HttpApp.requireGet(exchange)) {
            return;
        }
        long[] ids = threads.getAllThreadIds();
        ThreadInfo[] infos = threads.getThreadInfo(ids);
        long[] allocated = threads.getThreadAllocatedBytes(ids);
        long application = 0;
        long total = 0;
        for (int i = 0; i < ids.length; i++) {
            if (infos[i] == null || allocated[i] < 0) {
                continue; // the thread ended between the two calls, or measurement is off
            }
            total += allocated[i];
            if (isApplicationThread(infos[i].getThreadName())) {
                application += allocated[i];
            }
        }
        HttpApp.respond(exchange, 200, "application " + application + "\ntotal " + total + "\n");
    }

    /** Threads the application itself runs requests on; an agent's own threads (exporters) are not among them. */
    static boolean isApplicationThread(String name) {
        return name.startsWith("http-app-worker-") || name.equals("HTTP-Dispatcher") || name.startsWith("HttpClient-");
    }
}
