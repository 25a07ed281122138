package dev.plume.smoke.undertow;

import dev.plume.smoke.selfcalls.CrossThreadCalls;
import dev.plume.smoke.selfcalls.OwnHelloClient;
import io.undertow.Undertow;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentManager;
import jakarta.servlet.ServletException;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
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

/**
 * A plain jakarta.servlet application (no framework) on embedded Undertow 2.3, which smoke tests run under the agent.
 *
 * <p>System properties: {@code app.port} (default 0, an ephemeral port) and {@code app.exit.on.stdin.eof}
 * (default false). It prints {@code LISTENING <port>} once Undertow is ready to answer.
 */
public final class ServletUndertowApp {

    static final String APP_NAME = "servlet-undertow-app";
    private static final String HOST = "127.0.0.1";
    private static final int POOL_THREADS = 4;

    // JBoss Logging finds no other backend on the class path, so it logs through java.util.logging. Held in fields:
    // java.util.logging keeps only weak references, and a collected logger forgets its level.
    private static final Logger UNDERTOW_LOGGER = Logger.getLogger("io.undertow");
    private static final Logger XNIO_LOGGER = Logger.getLogger("org.xnio");
    private static final Logger JBOSS_LOGGER = Logger.getLogger("org.jboss");

    private ServletUndertowApp() {
    }

    public static void main(String[] args) throws ServletException, InterruptedException {
        // Undertow, XNIO and JBoss Threads announce their versions at INFO; their warnings and errors still show.
        UNDERTOW_LOGGER.setLevel(Level.WARNING);
        XNIO_LOGGER.setLevel(Level.WARNING);
        JBOSS_LOGGER.setLevel(Level.WARNING);

        ExecutorService executor = new ThreadPoolExecutor(POOL_THREADS, POOL_THREADS, 0L, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), namedThreads("app-executor-"));
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, namedThreads("app-scheduler-"));

        // Undertow tells its port only once it listens; the client asks for it at each call, long after that.
        AtomicInteger localPort = new AtomicInteger();
        OwnHelloClient client = new OwnHelloClient(localPort::get);
        CrossThreadCalls calls = new CrossThreadCalls(client, executor, scheduler);

        int port = Integer.getInteger("app.port", 0);
        DeploymentManager deployment = Servlets.defaultContainer()
                .addDeployment(AppDeployment.create(client, calls, executor));
        deployment.deploy();
        Undertow server = Undertow.builder()
                .addHttpListener(port, HOST)
                .setHandler(deployment.start())
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        // Runs on System.exit and on SIGTERM alike.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopUndertow(server, deployment);
            executor.shutdownNow();
            scheduler.shutdownNow();
            stopped.countDown();
        }, APP_NAME + "-shutdown"));

        try {
            server.start();
        } catch (RuntimeException e) {
            // Undertow throws when the port is taken.
            System.err.println("Undertow did not start on " + HOST + ":" + port + ": " + e);
            e.printStackTrace();
            System.exit(1);
        }
        localPort.set(((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort());
        System.out.println("LISTENING " + localPort.get());
        System.out.flush();

        if (Boolean.getBoolean("app.exit.on.stdin.eof")) {
            exitWhenStdinCloses();
        }
        // The main thread waits for the shutdown hook rather than rely on whether XNIO's threads are daemons.
        stopped.await();
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

    private static void stopUndertow(Undertow server, DeploymentManager deployment) {
        try {
            server.stop();
            deployment.stop();
            deployment.undeploy();
        } catch (ServletException | RuntimeException e) {
            System.err.println("stopping Undertow failed: " + e);
        }
    }

    private static ThreadFactory namedThreads(String prefix) {
        AtomicInteger next = new AtomicInteger(1);
        return runnable -> new Thread(runnable, prefix + next.getAndIncrement());
    }
}
