package dev.plume.smoke.jetty11;

import dev.plume.smoke.selfcalls.CrossThreadCalls;
import dev.plume.smoke.selfcalls.OwnHelloClient;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain jakarta.servlet application (no framework) on embedded Jetty 11, which smoke tests run under the agent.
 *
 * <p>System properties: {@code app.port} (default 0, an ephemeral port) and {@code app.exit.on.stdin.eof}
 * (default false). It prints {@code LISTENING <port>} once Jetty is ready to answer. Jetty's log level is set in
 * {@code jetty-logging.properties}.
 */
public final class ServletJetty11App {

    static final String APP_NAME = "servlet-jetty11-app";
    private static final String HOST = "127.0.0.1";
    private static final int POOL_THREADS = 4;

    private ServletJetty11App() {
    }

    public static void main(String[] args) throws InterruptedException {
        ExecutorService executor = new ThreadPoolExecutor(POOL_THREADS, POOL_THREADS, 0L, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), namedThreads("app-executor-"));
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, namedThreads("app-scheduler-"));

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(HOST);
        connector.setPort(Integer.getInteger("app.port", 0));
        server.addConnector(connector);

        OwnHelloClient client = new OwnHelloClient(connector::getLocalPort);
        CrossThreadCalls calls = new CrossThreadCalls(client, executor, scheduler);
        server.setHandler(AppServletContext.create(client, calls, executor));

        // Runs on System.exit and on SIGTERM alike.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopJetty(server);
            executor.shutdownNow();
            scheduler.shutdownNow();
        }, APP_NAME + "-shutdown"));

        try {
            server.start();
        } catch (Exception e) {
            // Jetty throws when the port is taken; its thread pool would otherwise keep the JVM alive.
            System.err.println("Jetty did not start on " + HOST + ":" + connector.getPort() + ": " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.out.println("LISTENING " + connector.getLocalPort());
        System.out.flush();

        if (Boolean.getBoolean("app.exit.on.stdin.eof")) {
            exitWhenStdinCloses();
        }
        server.join();
    }

    private static void exitWhenStdinCloses() {
        Thread watcher = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // Input is ignored; only the end of the stream matters.
                }
            } catch (IOException e) {
                // A broken stdin means the parent is gone, which is the same signal as EOF.
            }
            System.exit(0);
        }, APP_NAME + "-stdin-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static void stopJetty(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            System.err.println("stopping Jetty failed: " + e);
        }
    }

    private static ThreadFactory namedThreads(String prefix) {
        AtomicInteger next = new AtomicInteger(1);
        return runnable -> new Thread(runnable, prefix + next.getAndIncrement());
    }
}
