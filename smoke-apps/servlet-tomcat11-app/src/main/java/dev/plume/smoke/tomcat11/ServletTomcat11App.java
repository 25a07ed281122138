package dev.plume.smoke.tomcat11;

import dev.plume.smoke.selfcalls.CrossThreadCalls;
import dev.plume.smoke.selfcalls.OwnHelloClient;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * A plain jakarta.servlet application (no framework) on embedded Tomcat 11, which smoke tests run under the agent.
 *
 * <p>System properties: {@code app.port} (default 0, an ephemeral port) and {@code app.exit.on.stdin.eof}
 * (default false). It prints {@code LISTENING <port>} once Tomcat is ready to answer.
 */
public final class ServletTomcat11App {

    static final String APP_NAME = "servlet-tomcat11-app";
    private static final String HOST = "127.0.0.1";
    private static final int POOL_THREADS = 4;

    // Held in a field: java.util.logging keeps only weak references, and a collected logger forgets its level.
    private static final Logger TOMCAT_LOGGER = Logger.getLogger("org.apache");

    private ServletTomcat11App() {
    }

    public static void main(String[] args) throws IOException, LifecycleException {
        // Tomcat logs each start-up step at INFO; its warnings and errors still show.
        TOMCAT_LOGGER.setLevel(Level.WARNING);

        ExecutorService executor = new ThreadPoolExecutor(POOL_THREADS, POOL_THREADS, 0L, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), namedThreads("app-executor-"));
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, namedThreads("app-scheduler-"));

        Path baseDir = Files.createTempDirectory(APP_NAME);
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        Connector connector = new Connector();
        connector.setPort(Integer.getInteger("app.port", 0));
        connector.setProperty("address", HOST);
        tomcat.setConnector(connector);

        OwnHelloClient client = new OwnHelloClient(connector::getLocalPort);
        CrossThreadCalls calls = new CrossThreadCalls(client, executor, scheduler);
        Context context = tomcat.addContext("", null);
        context.addServletContainerInitializer(new AppServletInitializer(client, calls, executor), null);

        // Runs on System.exit and on SIGTERM alike, so a killed app does not leave its temporary directory behind.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopTomcat(tomcat);
            executor.shutdownNow();
            scheduler.shutdownNow();
            deleteTree(baseDir);
        }, APP_NAME + "-shutdown"));

        tomcat.start();
        if (connector.getState() != LifecycleState.STARTED) {
            // Tomcat logs why (e.g. the port is taken) but carries on without a connector.
            System.err.println("the HTTP connector did not start on " + HOST + ":" + connector.getPort());
            System.exit(1);
        }
        System.out.println("LISTENING " + connector.getLocalPort());
        System.out.flush();

        if (Boolean.getBoolean("app.exit.on.stdin.eof")) {
            exitWhenStdinCloses();
        }
        // Tomcat's own threads are daemons, so the main thread keeps the JVM alive until it is stopped.
        tomcat.getServer().await();
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

    private static void stopTomcat(Tomcat tomcat) {
        try {
            tomcat.stop();
            tomcat.destroy();
        } catch (LifecycleException e) {
            System.err.println("stopping Tomcat failed: " + e);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not delete " + root + ": " + e);
        }
    }

    private static ThreadFactory namedThreads(String prefix) {
        AtomicInteger next = new AtomicInteger(1);
        return runnable -> new Thread(runnable, prefix + next.getAndIncrement());
    }
}
